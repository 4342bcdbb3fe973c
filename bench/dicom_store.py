"""Benchmark the DICOM receiver: sustained C-STORE of synthetic dose reports, then import.

Runs ``flask dicom listen`` and ``flask worker`` as separate processes, as in production,
against a fresh database, then sends N copies of a corpus CT dose report (fresh Study, Series,
SOP Instance and Irradiation Event UIDs each) over one association and then over four with
the worker importing meanwhile, and once more over one association with the worker stopped
until everything is received (the listener alone, then the worker alone). It reports:

- objects/s received: C-STORE responses per second while sending;
- objects/s imported: objects visible in the database per second, first send to last import
  (from the worker's resumption in the third run);
- latency from each C-STORE response to the object being visible in the database
  (median and 95th percentile), polled every 20 ms.

Usage (from the repository root)::

    python bench/dicom_store.py [-n 500] [--workers 2] [--worker-type thread|process]
                                [--database-url postgresql://...] [--no-nodelay]

Without ``--database-url`` a SQLite file in a temporary folder is used. A PostgreSQL database
given here is emptied first: give the benchmark its own.
"""
import argparse
import copy
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pydicom import dcmread  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402
from pynetdicom import AE, _config  # noqa: E402
from sqlalchemy import MetaData, create_engine, text  # noqa: E402

CORPUS = Path(os.environ.get("KERMA_CORPUS", REPO.parent / "shared" / "corpus"))
TEMPLATE = CORPUS / "dicom" / "CT-RDSR-ToshibaPixelMed.dcm"
XRAY_DOSE_SR = "1.2.840.10008.5.1.4.1.1.88.67"
IRRADIATION_EVENT_UID = "113769"


def main():
    """Run the benchmark and print its figures."""
    options = _arguments()
    work = Path(tempfile.mkdtemp(prefix="kerma-bench-"))
    database_url = options.database_url or f"sqlite:///{work / 'kerma.db'}"
    _fresh_schema(database_url)
    env = _environment(work, database_url)
    port = _free_port()
    processes = []
    try:
        processes.append(_start(["dicom", "listen", "--port", str(port)], env, work / "listener.log"))
        processes.append(_start(["worker", "-w", str(options.workers), "--worker-type",
                                 options.worker_type], env, work / "worker.log"))
        _wait_for(lambda: (work / "spool" / "listener.json").exists()
                  and (work / "spool" / "worker.json").exists(), 60, "the listener and worker")
        n = options.count
        files = _synthetic_reports(work / "send", n * 3)
        engine = create_engine(_sqlalchemy_url(database_url))
        worker = processes[1]
        results = [
            _run(engine, port, files[:n], 1, not options.no_nodelay),
            _run(engine, port, files[n:2 * n], 4, not options.no_nodelay),
            # The same with the worker stopped while receiving: what the listener alone
            # takes in, then how fast the worker clears the backlog.
            _run(engine, port, files[2 * n:], 1, not options.no_nodelay, paused=worker),
        ]
        _report(options, database_url, results)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work folder kept: {work}")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=500,
                        help="objects sent in each run (default 500)")
    parser.add_argument("--workers", type=int, default=2, help="worker threads or processes")
    parser.add_argument("--worker-type", choices=("thread", "process"), default="thread")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--no-nodelay", action="store_true",
                        help="leave Nagle's algorithm on in the sender, as some modalities do")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and logs")
    return parser.parse_args()


def _run(engine, port, files, associations, nodelay, paused=None):
    """Send ``files`` over ``associations`` parallel associations; measure until imported.

    With ``paused`` (the worker process) the worker is stopped while sending and resumed
    after: imports per second are then counted from the resumption.
    """
    sent = {}  # SOP Instance UID -> time of the C-STORE response
    seen = {}  # SOP Instance UID -> time first visible in the database
    stop = threading.Event()
    wanted = {uid for _, uid in files}
    poller = threading.Thread(target=_poll, args=(engine, wanted, seen, stop), daemon=True)
    poller.start()
    shares = [files[i::associations] for i in range(associations)]
    failures = []
    if paused is not None:
        os.killpg(paused.pid, signal.SIGSTOP)
    started = time.monotonic()
    threads = [threading.Thread(target=_send, args=(port, share, sent, failures, nodelay))
               for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = time.monotonic()
    import_started = started
    if paused is not None:
        os.killpg(paused.pid, signal.SIGCONT)
        import_started = received
    _wait_for(lambda: len(seen) >= len(sent), 600, "every import", interval=0.1)
    stop.set()
    poller.join()
    imported = max(seen.values())
    latencies = sorted(seen[uid] - sent[uid] for uid in sent if uid in seen)
    return {
        "associations": associations, "objects": len(files), "failures": len(failures),
        "mode": "worker stopped while receiving" if paused is not None else "worker running",
        "received_per_s": len(sent) / (received - started),
        "imported_per_s": len(seen) / (imported - import_started),
        "latency_median": statistics.median(latencies),
        "latency_p95": latencies[int(0.95 * (len(latencies) - 1))],
        "backlog_seconds": imported - received, "failure_reasons": failures,
    }


def _send(port, files, sent, failures, nodelay):
    ae = AE(ae_title="BENCH")
    ae.add_requested_context(XRAY_DOSE_SR, ExplicitVRLittleEndian)
    assoc = ae.associate("127.0.0.1", port, ae_title="KERMA")
    if not assoc.is_established:
        failures.append("association")
        return
    if nodelay:
        assoc.dul.socket.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        for path, uid in files:
            status = assoc.send_c_store(path)
            if status.get("Status") != 0:
                failures.append(f"{uid}: " + (f"status 0x{status.Status:04X}" if "Status" in status
                                              else "no response, association ended"))
                if not assoc.is_established:
                    return
                continue
            sent[uid] = time.monotonic()
    finally:
        assoc.release()


def _poll(engine, wanted, seen, stop):
    last = 0
    query = text("SELECT id, sop_instance_uid FROM object_uids_processed WHERE id > :last")
    while not stop.is_set():
        with engine.connect() as connection:
            # Concurrent imports commit out of id order on PostgreSQL: look back a little.
            rows = connection.execute(query, {"last": last - 100}).all()
        now = time.monotonic()
        for row_id, uid in rows:
            if uid in wanted:
                seen.setdefault(uid, now)
            last = max(last, row_id)
        time.sleep(0.02)


def _synthetic_reports(folder, count):
    """``count`` files: the template with fresh UIDs, written before any timing starts."""
    folder.mkdir(parents=True)
    template = dcmread(TEMPLATE)
    files = []
    for n in range(count):
        ds = copy.deepcopy(template)
        ds.StudyInstanceUID = generate_uid()
        ds.SeriesInstanceUID = generate_uid()
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        _renew_event_uids(ds)
        path = folder / f"{n:06d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        files.append((path, ds.SOPInstanceUID))
    # Send the files as they are, without decoding them again in the sender.
    _config.STORE_SEND_CHUNKED_DATASET = True
    return files


def _renew_event_uids(item):
    for child in item.get("ContentSequence", ()):
        concept = child.get("ConceptNameCodeSequence")
        if child.get("ValueType") == "UIDREF" and concept and concept[0].CodeValue == IRRADIATION_EVENT_UID:
            child.UID = generate_uid()
        _renew_event_uids(child)


def _fresh_schema(database_url):
    from app import create_app
    from app.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        existing = MetaData()
        existing.reflect(db.engine)
        existing.drop_all(db.engine)
        db.create_all()
        db.engine.dispose()


def _environment(work, database_url):
    env = dict(os.environ)
    env.update({
        "KERMA_DATABASE_URL": database_url,
        "KERMA_SECRET_KEY": "bench",
        "KERMA_SPOOL_DIR": str(work / "spool"),
        "KERMA_HUEY_SQLITE_PATH": str(work / "tasks.sqlite"),
        "KERMA_DICOM_BIND": "127.0.0.1",
    })
    return env


def _start(arguments, env, log):
    # A session of its own, so that the worker and its forked processes can be paused together.
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *arguments],
                            cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sqlalchemy_url(url):
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _wait_for(predicate, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(interval)


def _machine():
    from bench.machine import memory

    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {memory()} memory, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def _report(options, database_url, results):
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"Machine: {_machine()}")
    print(f"Database: {database}; worker: {options.workers} {options.worker_type}(s); "
          f"sender TCP_NODELAY: {'off' if options.no_nodelay else 'on'}; "
          f"object: {TEMPLATE.name} ({TEMPLATE.stat().st_size} bytes)")
    print(f"{'associations':>12} {'objects':>8} {'received/s':>11} {'imported/s':>11} "
          f"{'latency median':>15} {'latency p95':>12} {'failures':>9}  mode")
    for r in results:
        latency = (f"{r['latency_median']:>14.2f}s {r['latency_p95']:>11.2f}s"
                   if r["mode"] == "worker running" else f"{'-':>15} {'-':>12}")
        print(f"{r['associations']:>12} {r['objects']:>8} {r['received_per_s']:>11.1f} "
              f"{r['imported_per_s']:>11.1f} {latency} {r['failures']:>9}  {r['mode']}")
    for r in results:
        for reason in r["failure_reasons"]:
            print(f"failure ({r['associations']} association(s)): {reason}")


if __name__ == "__main__":
    main()
