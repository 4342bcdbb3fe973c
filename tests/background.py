"""Helpers for tests of the spool, the task queue and the DICOM listener."""
import io
import time

from dicom_builders import code, container, num, sr_dataset


def queue_config(tmp_path) -> dict:
    """Settings that keep the spool and the queue in the test's own folder, polled quickly."""
    return {
        "SPOOL_DIR": str(tmp_path / "spool"),
        "HUEY_SQLITE_PATH": str(tmp_path / "tasks.sqlite"),
        "WORKER_POLL_SECONDS": 0.05,
    }


def wait_until(predicate, timeout=10.0, interval=0.02, message="condition"):
    """Call ``predicate`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def ct_report(dlp=12.5, **attributes):
    """A small CT dose report (TID 10011) with a total DLP, as a pydicom dataset."""
    return sr_dataset(("113701", "X-Ray Radiation Dose Report"), [
        code(("121058", "Procedure reported"), ("P5-08000", "Computed Tomography X-Ray", "SRT")),
        container(("113811", "CT Accumulated Dose Data"), [
            num(("113812", "Total Number of Irradiation Events"), 1, "{events}"),
            num(("113813", "CT Dose Length Product Total"), dlp, "mGy.cm"),
        ]),
    ], template="10011", **attributes)


def file_bytes(ds) -> bytes:
    """``ds`` encoded as a DICOM file (preamble, file meta, dataset)."""
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
