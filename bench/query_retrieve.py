"""Benchmark query-retrieve: find and retrieve N studies' dose reports from dcmqrscp, then import.

dcmtk's ``dcmqrscp`` is the archive, loaded (before any timing) with synthetic CT dose reports
made by ``bench/make_rdsr.py`` from the corpus (fresh UIDs each, so every one is a study of its
own), their study dates spread over ten days. ``flask worker`` and, for C-MOVE, ``flask dicom
listen`` run as separate processes, as in production, against a fresh database; ``flask qr
query`` runs the query as a command. Each run queries its own ten days, once with C-GET and
once with C-MOVE, and reports:

- finding: seconds from the command's start until the objects to retrieve are known (ten
  study-level C-FINDs, then one series- and one image-level C-FIND per study);
- retrieved/s: objects retrieved per second while retrieving (one request per series);
- imported/s: objects imported per second from the start of retrieving to the last import
  (the worker imports while the retrieve goes on);
- total: seconds from the command's start to the last import.

Usage (from the repository root)::

    python bench/query_retrieve.py [-n 1000] [--workers 2] [--worker-type thread|process]
                                   [--database-url postgresql://...]

Without ``--database-url`` a SQLite file in a temporary folder is used. A PostgreSQL database
given here is emptied first: give the benchmark its own.
"""
import argparse
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pydicom import dcmread  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench.dicom_store import (_environment, _fresh_schema, _free_port,  # noqa: E402
                               _sqlalchemy_url, _start, _wait_for)
from bench.machine import cpu_model, memory  # noqa: E402
from bench.make_rdsr import make_rdsrs  # noqa: E402

PACS_AE = "PACS"
DAYS = 10
FIRST_DAYS = {"get": date(2024, 1, 1), "move": date(2024, 2, 1)}


def main():
    """Run the benchmark and print its figures."""
    options = _arguments()
    work = Path(tempfile.mkdtemp(prefix="kerma-bench-qr-"))
    database_url = options.database_url or f"sqlite:///{work / 'kerma.db'}"
    _fresh_schema(database_url)
    env = _environment(work, database_url)
    listener_port = _free_port()
    processes = []
    archive = None
    try:
        print(f"making {2 * options.count} reports and loading them into dcmqrscp ...",
              flush=True)
        files = _reports(work / "reports", options.count)
        archive = _archive(work / "pacs", listener_port)
        _load(archive["port"], files)
        processes.append(_start(["dicom", "listen", "--port", str(listener_port)], env,
                                work / "listener.log"))
        processes.append(_start(["worker", "-w", str(options.workers), "--worker-type",
                                 options.worker_type], env, work / "worker.log"))
        _wait_for(lambda: (work / "spool" / "listener.json").exists()
                  and (work / "spool" / "worker.json").exists(), 60, "the listener and worker")
        engine = create_engine(_sqlalchemy_url(database_url))
        results = []
        for method in ("get", "move"):
            node = f"PACS_{method.upper()}"
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "qr", "node", "add",
                            node, "--ae-title", PACS_AE, "--host", "127.0.0.1", "--port",
                            str(archive["port"]), "--method", method],
                           cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
            results.append(_run(engine, env, work, node, method, options.count))
        _report(options, database_url, results)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if archive:
            os.killpg(archive["process"].pid, signal.SIGTERM)
            archive["process"].wait(timeout=10)
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work folder kept: {work}")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=1000,
                        help="studies retrieved in each run (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="worker threads or processes")
    parser.add_argument("--worker-type", choices=("thread", "process"), default="thread")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and logs")
    return parser.parse_args()


def _reports(folder, count):
    """2 x ``count`` CT dose reports, the first half dated in January, the second in February."""
    paths = make_rdsrs(folder, 2 * count, kinds=("ct",))
    for number, path in enumerate(paths):
        method = "get" if number < count else "move"
        ds = dcmread(path)
        ds.StudyDate = (FIRST_DAYS[method] + timedelta(days=number % DAYS)).strftime("%Y%m%d")
        ds.save_as(path)
    return paths


def _archive(folder, listener_port):
    folder.mkdir(parents=True)
    (folder / "archive").mkdir()
    port = _free_port()
    config = folder / "dcmqrscp.cfg"
    config.write_text(
        f"NetworkTCPPort = {port}\nMaxPDUSize = 16384\nMaxAssociations = 16\n\n"
        f"HostTable BEGIN\nkerma = (KERMA, 127.0.0.1, {listener_port})\nHostTable END\n\n"
        "VendorTable BEGIN\nVendorTable END\n\n"
        f"AETable BEGIN\n{PACS_AE} {folder / 'archive'} RW (100000, 4096mb) ANY\nAETable END\n")
    process = subprocess.Popen(["dcmqrscp", "-c", str(config), str(port)],
                               stdout=(folder / "dcmqrscp.log").open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    _wait_for(lambda: _listening(port), 10, "dcmqrscp")
    return {"port": port, "process": process}


def _listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _load(port, files):
    for start in range(0, len(files), 250):
        subprocess.run(["storescu", "-aec", PACS_AE, "127.0.0.1", str(port),
                        *map(str, files[start:start + 250])],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _run(engine, env, work, node, method, count):
    """Query and retrieve one run's ten days; poll the database for the stages and imports."""
    first = FIRST_DAYS[method]
    with engine.connect() as connection:
        before = connection.execute(text("SELECT max(id) FROM dicom_qr_query")).scalar() or 0
    log = (work / f"query-{method}.log").open("w")
    started = time.monotonic()
    command = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "qr", "query", node,
         "--date-from", first.isoformat(),
         "--date-to", (first + timedelta(days=DAYS - 1)).isoformat()],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    found_at = retrieved_at = imported_at = None
    query_id = None
    while imported_at is None:
        with engine.connect() as connection:
            row = connection.execute(text(
                "SELECT id, stage, status FROM dicom_qr_query WHERE id > :before "
                "ORDER BY id DESC LIMIT 1"), {"before": before}).first()
            if row is not None and query_id is None and row.stage is not None:
                query_id = row.id
            if query_id is not None:
                now = time.monotonic()
                if found_at is None and row.stage == "retrieving":
                    found_at = now
                if retrieved_at is None and row.status in ("done", "failed"):
                    retrieved_at = now
                    if row.status == "failed":
                        raise SystemExit(f"the {method} query failed: see {log.name}")
                imported = connection.execute(text(
                    "SELECT count(*) FROM dicom_qr_object WHERE query_id = :id "
                    "AND status = 'imported'"), {"id": query_id}).scalar()
                if retrieved_at is not None and imported >= count:
                    imported_at = now
        if command.poll() not in (None, 0):
            raise SystemExit(f"flask qr query failed: see {log.name}")
        if time.monotonic() - started > 3600:
            raise SystemExit("timed out")
        time.sleep(0.05)
    command.wait()
    with engine.connect() as connection:
        failed = connection.execute(text(
            "SELECT count(*) FROM dicom_qr_object WHERE query_id = :id AND status <> 'imported'"),
            {"id": query_id}).scalar()
    retrieving = retrieved_at - found_at
    return {"method": method, "objects": count, "finding_s": found_at - started,
            "retrieved_per_s": count / retrieving if retrieving else float("inf"),
            "imported_per_s": count / (imported_at - found_at),
            "total_s": imported_at - started, "not_imported": failed}


def _report(options, database_url, results):
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"Machine: {cpu_model()}; {os.cpu_count()} CPUs (nproc "
          f"{len(os.sched_getaffinity(0))}), {memory()} memory, {platform.system()} "
          f"{platform.release()}, Python {platform.python_version()}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"Database: {database}; worker: {options.workers} {options.worker_type}(s); "
          f"{options.count} studies (one CT dose report each) per run")
    print(f"{'method':>7} {'objects':>8} {'finding':>9} {'retrieved/s':>12} {'imported/s':>11} "
          f"{'total':>8} {'not imported':>13}")
    for r in results:
        print(f"{'C-' + r['method'].upper():>7} {r['objects']:>8} {r['finding_s']:>8.1f}s "
              f"{r['retrieved_per_s']:>12.1f} {r['imported_per_s']:>11.1f} "
              f"{r['total_s']:>7.1f}s {r['not_imported']:>13}")


if __name__ == "__main__":
    main()
