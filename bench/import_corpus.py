"""Import speed on the corpus, against OpenREM and against pydicom reading the same files.

For every corpus file (SQLite, and PostgreSQL when a URL is given): in each of three passes
over the corpus, the median of three imports of the file in a row, as OpenREM's figures in
``openrem-import-seconds.csv`` are the median of three runs of its importer call; the figure
is the median of the passes, so a burst of other work on the machine, which falls on one
pass, is left out. Before each import every study is deleted, but the rows a running Kerma
already holds stay: the codes, device identities and settings a warm-up pass stored. The
time is the ``import_file`` call only. The whole corpus is then imported back to back,
file-name order, into an empty database (nothing stored, nothing remembered). Next to it:
the time pydicom 3 alone takes to read the file and walk every element (``dcmread`` and a
recursive iteration that decodes each value), measured the same way in a separate Python
process that imports nothing else.

    python bench/import_corpus.py [--postgresql URL] [--runs 3] [--passes 3] [--clock wall|cpu]
                                  [--only NAME ...]

``--clock cpu`` measures the process's CPU time instead of the wall clock, for a machine busy
with other work: SQLite runs in the process, so its CPU time is the whole cost; PostgreSQL
works in its own server process, so its figures stay wall-clock times. The PostgreSQL database
is emptied of all its tables: give the benchmark its own. The report (a markdown table with
the machine's facts) goes to standard output.
"""
import argparse
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = Path(os.environ.get("KERMA_CORPUS", REPO.parent / "shared" / "corpus"))

#: Per-file target: at least this many times faster than OpenREM.
TARGET_SPEEDUP = 10
#: Whole-corpus target: at most this multiple of pydicom's read-and-walk time.
TARGET_FLOOR_RATIO = 1.5

PYDICOM_WALK = r"""
import json, statistics, sys, time, warnings
warnings.simplefilter("ignore")
from pydicom import dcmread

def walk(dataset):
    for element in dataset:
        if element.VR == "SQ":
            for item in element.value:
                walk(item)
        else:
            element.value

paths, runs, passes = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for path in paths:  # warm-up: the dictionaries and code paths, as for the import
    walk(dcmread(path))
wall, cpu = {path: [] for path in paths}, {path: [] for path in paths}
for _ in range(passes):
    for path in paths:
        walls, cpus = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            walk(dcmread(path))
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - start_cpu)
        wall[path].append(statistics.median(walls))
        cpu[path].append(statistics.median(cpus))
print(json.dumps({path: [statistics.median(wall[path]), statistics.median(cpu[path])]
                  for path in paths}))
"""


def main():
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", help="URL of a PostgreSQL database the benchmark may empty")
    parser.add_argument("--runs", type=int, default=3,
                        help="imports of a file in a row per pass (their median is kept)")
    parser.add_argument("--passes", type=int, default=3,
                        help="passes over the corpus (the median of their figures is kept)")
    parser.add_argument("--only", nargs="*", help="corpus file names to time (default: all)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall-clock time (default) or the process's CPU time")
    args = parser.parse_args()

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    files = sorted((CORPUS / "dicom").glob("*.dcm"))
    if args.only:
        files = [f for f in files if f.name in args.only]
    if not files:
        sys.exit(f"no corpus files found under {CORPUS / 'dicom'}")
    openrem = _openrem_seconds()

    cpu = args.clock == "cpu"
    floor = {name: times[1 if cpu else 0]
             for name, times in _pydicom_floor(files, args.runs, args.passes).items()}
    databases = {"SQLite": None}
    if args.postgresql:
        databases["PostgreSQL"] = args.postgresql
    per_file, whole = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for label, url in databases.items():
            clock = time.process_time if cpu and label == "SQLite" else time.perf_counter
            url = url or f"sqlite:///{folder}/bench.db"
            per_file[label], whole[label] = _time_imports(url, files, args.runs, args.passes, clock)

    server = _postgresql_version(args.postgresql) if args.postgresql else None
    print(_report(files, openrem, floor, per_file, whole, (args.runs, args.passes), args.clock,
                  server))


def _openrem_seconds() -> dict[str, float]:
    import csv

    with (CORPUS / "openrem-import-seconds.csv").open() as handle:
        return {row["file"]: float(row["openrem_median_seconds"]) for row in csv.DictReader(handle)}


def _pydicom_floor(files, runs, passes) -> dict[str, list[float]]:
    """Median (wall, CPU) read-and-walk time per file, in a process that has imported only
    pydicom."""
    output = subprocess.run(
        [sys.executable, "-c", PYDICOM_WALK, json.dumps([str(f) for f in files]), str(runs),
         str(passes)],
        check=True, capture_output=True, text=True).stdout
    return {Path(path).name: seconds for path, seconds in json.loads(output).items()}


def _time_imports(url, files, runs, passes, clock):
    """(median seconds per file, median seconds for the whole corpus) on one database."""
    from app import create_app
    from app.extensions import db
    from app.importing import import_file

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _fresh_schema(db)
        for path in files:  # warm-up: compiled statements, caches, the code table
            import_file(path)
            db.session.remove()
        by_pass = {path.name: [] for path in files}
        for _ in range(passes):
            for path in files:
                times = []
                for _ in range(runs):
                    _delete_studies(db)
                    start = clock()
                    outcome = import_file(path)
                    times.append(clock() - start)
                    db.session.remove()
                    if outcome.status not in ("imported", "rejected"):
                        raise SystemExit(f"unexpected result: {outcome.line()}")
                by_pass[path.name].append(statistics.median(times))
        per_file = {name: statistics.median(found) for name, found in by_pass.items()}
        whole = []
        for _ in range(runs):
            _empty(db)
            start = clock()
            for path in files:
                import_file(path)
                db.session.remove()
            whole.append(clock() - start)
        _empty(db)
        db.engine.dispose()
    return per_file, statistics.median(whole)


def _fresh_schema(db):
    from sqlalchemy import MetaData

    existing = MetaData()
    existing.reflect(db.engine)
    existing.drop_all(db.engine)
    db.create_all()


def _empty(db):
    """Delete every row, so the next import meets an empty database and asks it everything."""
    from app.importing import lookups

    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    lookups.forget()
    _checkpoint(db)


def _delete_studies(db):
    """Delete every study (and its tree, and the tally), keeping codes, identities, settings."""
    from app.models import GeneralStudyModuleAttr, StudyTally

    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(GeneralStudyModuleAttr.__table__.delete())
        connection.execute(StudyTally.__table__.delete())
    _checkpoint(db)


def _checkpoint(db):
    """SQLite: fold the deletions into the database file now, not during the next import."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _postgresql_version(url) -> str:
    from sqlalchemy import create_engine, text

    url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url)
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return version


def _report(files, openrem, floor, per_file, whole, repeats, clock, server) -> str:
    labels = list(per_file)
    measured = ("wall-clock time" if clock == "wall" else
                "CPU time of the process (PostgreSQL: wall-clock time)")
    lines = [
        _machine(server),
        "",
        f"Per file, the median of {repeats[1]} passes over the corpus, each pass the median "
        f"of {repeats[0]} imports in a row, each into a database without studies that keeps "
        f"the codes, identities and settings of a warm-up pass; "
        f"seconds of {measured}. OpenREM: its own figures (wall-clock).",
        "",
        "| File | OpenREM | pydicom read+walk | " + " | ".join(
            f"Kerma {label} | × faster ({label})" for label in labels) + " |",
        "|---|---:|---:|" + "---:|---:|" * len(labels),
    ]
    totals = {label: 0.0 for label in labels}
    slowest = {label: (None, float("inf")) for label in labels}
    for path in files:
        name = path.name
        cells = [name, f"{openrem.get(name, float('nan')):.4f}", f"{floor[name]:.4f}"]
        for label in labels:
            seconds = per_file[label][name]
            totals[label] += seconds
            speedup = openrem.get(name, float("nan")) / seconds
            if speedup < slowest[label][1]:
                slowest[label] = (name, speedup)
            cells += [f"{seconds:.4f}", f"{speedup:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    openrem_total = sum(openrem.get(p.name, 0.0) for p in files)
    floor_total = sum(floor[p.name] for p in files)
    lines.append("| **Total (sum of files)** | " + f"{openrem_total:.2f} | {floor_total:.2f} | "
                 + " | ".join(f"{totals[label]:.2f} | {openrem_total / totals[label]:.0f}"
                              for label in labels) + " |")
    lines += ["", "| Database | Whole corpus, one database (s) | Sum of files (s) | "
              "÷ pydicom read+walk | Least speed-up over OpenREM |", "|---|---:|---:|---:|---|"]
    for label in labels:
        name, speedup = slowest[label]
        lines.append(f"| {label} | {whole[label]:.2f} | {totals[label]:.2f} | "
                     f"{whole[label] / floor_total:.2f} | {speedup:.1f}× ({name}) |")
    met = all(openrem.get(p.name, 0) / per_file[label][p.name] >= TARGET_SPEEDUP
              for label in labels for p in files if p.name in openrem)
    within = all(whole[label] <= TARGET_FLOOR_RATIO * floor_total for label in labels)
    lines += ["", f"Every file at least {TARGET_SPEEDUP}× faster than OpenREM: "
              f"{'yes' if met else 'no'}. Whole corpus within {TARGET_FLOOR_RATIO}× of "
              f"pydicom's read-and-walk time: {'yes' if within else 'no'}."]
    return "\n".join(lines)


def _machine(server) -> str:
    import sqlite3

    import pydicom
    import sqlalchemy

    from bench.machine import cpu_model, memory

    facts = [f"CPU: {cpu_model()}, {os.cpu_count()} logical processors (nproc)",
             f"Memory: {memory()}",
             f"Python {platform.python_version()}, pydicom {pydicom.__version__}, "
             f"SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}",
             f"System: {platform.system()} {platform.release()}"]
    if server:
        facts.append(f"PostgreSQL {server}, on the same machine, over TCP")
    try:
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        facts.append(f"Load average when the report was written (1, 5, 15 min): {load}")
    except OSError:
        pass
    return "\n".join(f"- {fact}" for fact in facts)


if __name__ == "__main__":
    main()
