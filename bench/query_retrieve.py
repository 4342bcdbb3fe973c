"""Benchmark query-retrieve: find and retrieve N studies' dose reports from dcmqrscp, then import.

dcmtk's ``dcmqrscp`` is the archive, loaded (before any timing) with synthetic CT dose reports
made by ``bench/make_rdsr.py`` from the corpus (fresh UIDs each, so every one is a study of its
own), their study dates spread over ten days. ``flask worker`` and, for C-MOVE, ``flask dicom
listen`` run as separate processes, as in production, against a fresh database; ``flask qr
query`` runs the query as a command. Each run queries its own ten days, once with C-GET and
once with C-MOVE. dcmqrscp keeps at most 500 studies per storage area (AE title), so 1,000
studies are two areas, two nodes queried one after the other. It reports:

- finding: seconds from the commands' starts until the objects to retrieve are known (ten
  study-level C-FINDs a node, then one series- and one image-level C-FIND per study), summed
  over the nodes; it includes starting the ``flask`` command (about a second);
- retrieved/s: objects retrieved per second while retrieving (one request per series);
- imported/s: objects imported per second from the start of retrieving to the last import
  (the worker imports while the retrieve goes on);
- total: seconds from the first command's start to the last import.

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

#: dcmqrscp keeps at most 500 studies in a storage area (one AE title); a run of more
#: studies spreads them over several areas, each a node queried in turn.
STUDIES_PER_AREA = 500
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
        areas = {method: [f"{method.upper()}{n + 1}" for n in
                          range(-(-options.count // STUDIES_PER_AREA))]
                 for method in ("get", "move")}
        archive = _archive(work / "pacs", listener_port, [a for v in areas.values() for a in v])
        for method, chunk in (("get", files[:options.count]), ("move", files[options.count:])):
            for number, area in enumerate(areas[method]):
                _load(archive["port"], area,
                      chunk[number * STUDIES_PER_AREA:(number + 1) * STUDIES_PER_AREA])
        processes.append(_start(["dicom", "listen", "--port", str(listener_port)], env,
                                work / "listener.log"))
        processes.append(_start(["worker", "-w", str(options.workers), "--worker-type",
                                 options.worker_type], env, work / "worker.log"))
        _wait_for(lambda: (work / "spool" / "listener.json").exists()
                  and (work / "spool" / "worker.json").exists(), 60, "the listener and worker")
        engine = create_engine(_sqlalchemy_url(database_url))
        results = []
        for method in ("get", "move"):
            for area in areas[method]:
                subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "qr", "node",
                                "add", area, "--ae-title", area, "--host", "127.0.0.1",
                                "--port", str(archive["port"]), "--method", method],
                               cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
            results.append(_run(engine, env, work, areas[method], method, options.count))
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


def _archive(folder, listener_port, areas):
    """dcmqrscp with one storage area (AE title) per ``STUDIES_PER_AREA`` studies."""
    folder.mkdir(parents=True)
    port = _free_port()
    lines = []
    for area in areas:
        (folder / area).mkdir()
        lines.append(f"{area} {folder / area} RW ({STUDIES_PER_AREA}, 4096mb) ANY")
    config = folder / "dcmqrscp.cfg"
    config.write_text(
        f"NetworkTCPPort = {port}\nMaxPDUSize = 16384\nMaxAssociations = 16\n\n"
        f"HostTable BEGIN\nkerma = (KERMA, 127.0.0.1, {listener_port})\nHostTable END\n\n"
        "VendorTable BEGIN\nVendorTable END\n\n"
        "AETable BEGIN\n" + "\n".join(lines) + "\nAETable END\n")
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


def _load(port, area, files):
    for start in range(0, len(files), 250):
        subprocess.run(["storescu", "-aec", area, "127.0.0.1", str(port),
                        *map(str, files[start:start + 250])],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _run(engine, env, work, areas, method, count):
    """Query and retrieve one run's ten days from each area in turn; poll the database."""
    first = FIRST_DAYS[method]
    started = time.monotonic()
    finding = retrieving = 0.0
    retrieve_started = None
    query_ids = []
    for area in areas:
        with engine.connect() as connection:
            before = connection.execute(text("SELECT max(id) FROM dicom_qr_query")).scalar() or 0
        log = (work / f"query-{area}.log").open("w")
        command_started = time.monotonic()
        command = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "qr", "query", area,
             "--date-from", first.isoformat(),
             "--date-to", (first + timedelta(days=DAYS - 1)).isoformat()],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        found_at = None
        while True:
            with engine.connect() as connection:
                row = connection.execute(text(
                    "SELECT id, stage, status FROM dicom_qr_query WHERE id > :before "
                    "ORDER BY id DESC LIMIT 1"), {"before": before}).first()
            now = time.monotonic()
            if row is not None and found_at is None and row.stage == "retrieving":
                found_at = now
                retrieve_started = retrieve_started or now
            if row is not None and row.status in ("done", "failed"):
                if row.status == "failed" or found_at is None:
                    raise SystemExit(f"the query of {area} failed: see {log.name}")
                finding += found_at - command_started
                retrieving += now - found_at
                query_ids.append(row.id)
                break
            if command.poll() not in (None, 0):
                raise SystemExit(f"flask qr query failed: see {log.name}")
            time.sleep(0.05)
        command.wait()
    ids = ",".join(map(str, query_ids))
    while True:
        with engine.connect() as connection:
            imported = connection.execute(text(
                f"SELECT count(*) FROM dicom_qr_object WHERE query_id IN ({ids}) "
                "AND status = 'imported'")).scalar()
            waiting = connection.execute(text(
                f"SELECT count(*) FROM dicom_qr_object WHERE query_id IN ({ids}) "
                "AND status IN ('wanted', 'retrieved')")).scalar()
        if not waiting:
            break
        if time.monotonic() - started > 3600:
            raise SystemExit("timed out")
        time.sleep(0.05)
    imported_at = time.monotonic()
    return {"method": method, "objects": count, "finding_s": finding,
            "retrieved_per_s": count / retrieving if retrieving else float("inf"),
            "imported_per_s": imported / (imported_at - retrieve_started),
            "total_s": imported_at - started, "not_imported": count - imported,
            "queries": len(query_ids)}


def _report(options, database_url, results):
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"Machine: {cpu_model()}; {os.cpu_count()} CPUs (nproc "
          f"{len(os.sched_getaffinity(0))}), {memory()} memory, {platform.system()} "
          f"{platform.release()}, Python {platform.python_version()}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"Database: {database}; worker: {options.workers} {options.worker_type}(s); "
          f"{options.count} studies (one CT dose report each) per run, in "
          f"{results[0]['queries']} storage area(s) of dcmqrscp, queried in turn")
    print(f"{'method':>7} {'objects':>8} {'finding':>9} {'retrieved/s':>12} {'imported/s':>11} "
          f"{'total':>8} {'not imported':>13}")
    for r in results:
        print(f"{'C-' + r['method'].upper():>7} {r['objects']:>8} {r['finding_s']:>8.1f}s "
              f"{r['retrieved_per_s']:>12.1f} {r['imported_per_s']:>11.1f} "
              f"{r['total_s']:>7.1f}s {r['not_imported']:>13}")


if __name__ == "__main__":
    main()
