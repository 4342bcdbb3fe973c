"""Kerma's benchmark suite: import throughput, population, page latency and exports.

    python bench/run.py [--sizes 10000,100000,1000000] [--db sqlite|postgresql|both] [--quick]

Writes a markdown report to bench/results/ (not in git) and prints it. PostgreSQL runs use
the database named by ``--postgresql-url`` or ``KERMA_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/kerma_bench``, created if missing); every table in it
is dropped, so give the benchmark a database of its own. SQLite runs use files in a temporary
folder.

(a) Imports: the corpus and copies of its CT reports with fresh UIDs (``make_rdsr.py``), one
process and with parsing in a pool of processes feeding one writer, next to the time pydicom
alone takes to read and walk the same files; the corpus file by file next to OpenREM's times.
(b) Pages and (c) exports: whichever of the endpoints in ``PAGES`` and ``EXPORTS`` the
application has, at each database size; the others are listed as skipped.
"""
import argparse
import datetime as dt
import logging
import multiprocessing
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pydicom  # noqa: E402
from sqlalchemy import MetaData, func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.dev.populate import populate  # noqa: E402
from app.extensions import db  # noqa: E402
from app.extractors.dispatch import extract  # noqa: E402
from app.extractors.errors import ExtractorError, NotDoseObject  # noqa: E402
from app.importing import import_file, persist  # noqa: E402
from app.importing.outcome import FAILED, REJECTED, Outcome  # noqa: E402
from app.importing.reading import Unreadable, read_dataset  # noqa: E402
from app.models.study import GeneralStudyModuleAttr as Study  # noqa: E402
from bench.machine import cpu_model, memory  # noqa: E402
from bench.make_rdsr import corpus_dir, make_rdsrs  # noqa: E402

RESULTS = REPO / "bench" / "results"
DEFAULT_POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/kerma_bench"
OPENREM_TIMES = "openrem-import-seconds.csv"

#: Pages to time: (label, endpoint, query). ``{detail}`` endpoints get a study id of the
#: modality in their one URL argument; queries may use {year_ago}, {today}, {display_name}.
PAGES = (
    ("home", "main.home", {}),
    ("CT list", "ct.studies", {}),
    ("CT list, last year, one scanner, newest first", "ct.studies",
     {"date_from": "{year_ago}", "date_until": "{today}", "display_name": "{display_name}"}),
    ("CT list, page 200", "ct.studies", {"page": "200"}),
    ("CT detail", "ct.study", "detail"),
    ("RF list", "rf.studies", {}),
    ("RF detail", "rf.study", "detail"),
    ("DX list", "dx.studies", {}),
    ("DX detail", "dx.study", "detail"),
    ("MG list", "mg.studies", {}),
    ("MG detail", "mg.study", "detail"),
    ("NM list", "nm.studies", {}),
    ("NM detail", "nm.study", "detail"),
)
#: Exports to time: (label, endpoint, query).
EXPORTS = (
    ("CT csv, last year", "exports.download",
     {"modality": "ct", "fmt": "csv", "date_from": "{year_ago}", "date_until": "{today}"}),
    ("CT xlsx, last year", "exports.download",
     {"modality": "ct", "fmt": "xlsx", "date_from": "{year_ago}", "date_until": "{today}"}),
    ("CT csv, everything", "exports.download", {"modality": "ct", "fmt": "csv"}),
)
MODALITY_OF = {"ct": "CT", "rf": "RF", "dx": "DX", "mg": "MG", "nm": "NM"}


# -- Set-up ---------------------------------------------------------------------------------


def make_app(url):
    """The application on ``url``, CSRF off, its import warnings quiet."""
    logging.getLogger("app").setLevel(logging.ERROR)
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark",
                       "WTF_CSRF_ENABLED": False})


def fresh_schema(app):
    """Drop every table and create the current schema."""
    with app.app_context():
        db.session.remove()
        existing = MetaData()
        existing.reflect(db.engine)
        existing.drop_all(db.engine)
        db.create_all()


def empty_tables(app):
    """Delete every row, keeping the schema; imports forget the codes and identities they
    remembered, which no longer exist."""
    from app.importing import lookups

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        lookups.forget(db.session)


def ensure_postgresql(url):
    """Create the benchmark database if it does not exist yet."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def sqlalchemy_url(url):
    """The psycopg 3 form of a PostgreSQL URL."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def machine_facts(postgresql_url=None) -> list[tuple[str, str]]:
    """What the numbers were measured on."""
    facts = [
        ("CPU", f"{cpu_model()}, {os.cpu_count()} cores (nproc)"),
        ("Memory", memory()),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("pydicom", pydicom.__version__),
        ("SQLite", sqlite3.sqlite_version),
    ]
    if postgresql_url:
        import psycopg

        with psycopg.connect(postgresql_url) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
            settings = ", ".join(
                f"{name}={connection.execute(f'SHOW {name}').fetchone()[0]}"
                for name in ("shared_buffers", "work_mem", "synchronous_commit"))
        facts.append(("PostgreSQL", f"{version} ({settings})"))
    facts.append(("Load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())))
    return facts


# -- (a) Imports ------------------------------------------------------------------------------


def full_walk(ds):
    """Touch every element's value, sequences included, as a complete reader must."""
    for element in ds:
        if element.VR == "SQ":
            for item in element.value:
                full_walk(item)
        else:
            element.value  # noqa: B018  (converts the raw value)


def pydicom_floor(paths) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds per file to read it with pydicom and walk its whole dataset."""
    walls, cpus = [], []
    for path in paths:
        wall, cpu = time.perf_counter(), time.process_time()
        full_walk(pydicom.dcmread(path, force=True))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def timed_import(path):
    """Import one file: (wall seconds, CPU seconds of this process, Outcome)."""
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = import_file(path)
    return time.perf_counter() - wall, time.process_time() - cpu, outcome


def import_single(app, paths) -> tuple[list[float], list[float], dict]:
    """Import ``paths`` one by one in this process: wall and CPU seconds per file, statuses."""
    walls, cpus, statuses = [], [], {}
    with app.app_context():
        for path in paths:
            wall, cpu, outcome = timed_import(path)
            walls.append(wall)
            cpus.append(cpu)
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
            db.session.remove()
    return walls, cpus, statuses


def _parse(path):
    """Read and extract one file in a worker: (source, record or None, Outcome or None)."""
    source = str(path)
    try:
        return source, extract(read_dataset(path)), None
    except Unreadable as exc:
        return source, None, Outcome(source, REJECTED if exc.rejected else FAILED, str(exc))
    except NotDoseObject as exc:  # the outcomes import_file reports
        return source, None, Outcome(source, REJECTED, str(exc))
    except ExtractorError as exc:
        return source, None, Outcome(source, FAILED, str(exc))
    except Exception as exc:
        return source, None, Outcome(source, FAILED, f"{type(exc).__name__}: {exc}")


def import_parallel(app, paths, workers) -> tuple[float, dict]:
    """Parse in a pool of ``workers`` processes, store in this one: wall seconds, statuses."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # forked workers must not inherit database connections
    context = multiprocessing.get_context("fork")
    statuses = {}
    with context.Pool(workers) as pool:
        pool.map(abs, range(workers))  # start the workers before the clock
        started = time.perf_counter()
        with app.app_context():
            for source, record, outcome in pool.imap(_parse, paths, chunksize=2):
                if record is not None:
                    outcome = persist(record, source)
                    db.session.remove()
                statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        elapsed = time.perf_counter() - started
    return elapsed, statuses


def openrem_times(corpus: Path) -> dict:
    """OpenREM's median import seconds per corpus file, and the importer it used."""
    found = {}
    path = corpus.parent / OPENREM_TIMES
    if path.exists():
        for line in path.read_text().splitlines()[1:]:
            name, importer, seconds = line.split(",")
            found[name] = (importer, float(seconds))
    return found


def corpus_per_file(app, paths, runs) -> dict:
    """Median wall and CPU seconds and the status per corpus file, each run into an empty
    database."""
    results = {}
    for path in paths:
        walls, cpus, status = [], [], None
        for _ in range(runs):
            empty_tables(app)
            with app.app_context():
                wall, cpu, outcome = timed_import(path)
                walls.append(wall)
                cpus.append(cpu)
                status = outcome.status
                db.session.remove()
        results[path.name] = (statistics.median(walls), statistics.median(cpus), status)
    return results


def bench_imports(databases, corpus_paths, copies, runs, report):
    """Part (a): throughput per database and mode, the pydicom floor, the per-file table."""
    workers = os.cpu_count() or 2
    rows = []
    per_file = {}
    for name, app in databases:
        fresh_schema(app)
        import_single(app, corpus_paths)  # warm-up: every extractor module loaded once
        for label, paths in (("corpus", corpus_paths), ("CT copies", copies)):
            fresh_schema(app)
            walls, cpus, statuses = import_single(app, paths)
            rows.append((name, label, len(paths), "1 process", len(paths) / sum(walls),
                         statistics.median(walls), statistics.median(cpus), statuses))
            fresh_schema(app)
            elapsed, statuses = import_parallel(app, paths, workers)
            rows.append((name, label, len(paths), f"{workers} parsers + 1 writer",
                         len(paths) / elapsed, None, None, statuses))
        fresh_schema(app)
        per_file[name] = corpus_per_file(app, corpus_paths, runs)
    for label, paths in (("corpus", corpus_paths), ("CT copies", copies)):
        walls, cpus = pydicom_floor(paths)
        rows.append(("-", label, len(paths), "pydicom read + full walk", len(paths) / sum(walls),
                     statistics.median(walls), statistics.median(cpus), {}))
    report.append("## Import\n")
    report.append(f"Files/s over the whole set (wall clock); median wall and CPU ms per object "
                  f"in one process (CPU: this process only, not the PostgreSQL server). "
                  f"Parallel: {workers} processes read and extract, the main process stores.\n")
    report.append("| Database | Files | Count | Mode | Files/s | Median ms | Median CPU ms "
                  "| Outcomes |")
    report.append("|---|---|---:|---|---:|---:|---:|---|")
    for db_name, label, count, mode, rate, wall, cpu, statuses in rows:
        outcome = ", ".join(f"{v} {k}" for k, v in sorted(statuses.items()))
        wall_text = f"{wall * 1000:.1f}" if wall is not None else ""
        cpu_text = f"{cpu * 1000:.1f}" if cpu is not None else ""
        report.append(f"| {db_name} | {label} | {count} | {mode} | {rate:.1f} | {wall_text} "
                      f"| {cpu_text} | {outcome} |")
    _corpus_table(per_file, [name for name, _ in databases], corpus_paths, runs, report)


def _corpus_table(per_file, names, corpus_paths, runs, report):
    openrem = openrem_times(corpus_dir())
    reference_db = "sqlite" if "sqlite" in names else names[0]
    report.append("\n### Corpus, file by file\n")
    report.append(f"Median of {runs} runs, each into an empty database, the import call only "
                  f"(as OpenREM's times were taken, on SQLite). Speed-up = OpenREM's seconds / "
                  f"Kerma's on {reference_db}, by wall clock and by CPU time (which a busy "
                  f"machine inflates less), only where Kerma stored the object; the last row "
                  f"sums those files.\n")
    head = " | ".join(f"{n} ms | {n} CPU ms" for n in names)
    report.append(f"| File | Importer | OpenREM s | {head} | Speed-up | Speed-up (CPU) "
                  f"| Kerma outcome |")
    report.append("|---|---|---:|" + "---:|---:|" * len(names) + "---:|---:|---|")
    totals = {n: [0.0, 0.0] for n in names}
    openrem_total, stored = 0.0, 0
    for path in corpus_paths:
        importer, seconds = openrem.get(path.name, ("", None))
        cells = []
        for n in names:
            wall, cpu, _ = per_file[n][path.name]
            cells += [f"{wall * 1000:.1f}", f"{cpu * 1000:.1f}"]
        wall, cpu, status = per_file[reference_db][path.name]
        ratios = ["", ""]
        if status in ("imported", "duplicate") and seconds:
            ratios = [f"{seconds / wall:.1f}x", f"{seconds / cpu:.1f}x"]
            openrem_total += seconds
            stored += 1
            for n in names:
                totals[n][0] += per_file[n][path.name][0]
                totals[n][1] += per_file[n][path.name][1]
        report.append(f"| {path.name} | {importer} | {seconds if seconds is not None else ''} "
                      f"| {' | '.join(cells)} | {' | '.join(ratios)} | {status} |")
    if stored:
        cells = " | ".join(f"{totals[n][0] * 1000:.0f} | {totals[n][1] * 1000:.0f}"
                           for n in names)
        wall, cpu = totals[reference_db]
        report.append(f"| **{stored} files Kerma stored** | | {openrem_total:.1f} | {cells} | "
                      f"{openrem_total / wall:.1f}x | {openrem_total / cpu:.1f}x | |\n")


# -- Population, (b) pages, (c) exports ------------------------------------------------------


def _admin_client(app):
    from app.auth.roles import ROLES
    from app.models.auth import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "bench"))
        if user is None:
            user = User(username="bench", active=True)
            user.roles = set(ROLES)
            user.set_password("benchmark-password")
            db.session.add(user)
            db.session.commit()
        user_id = user.id
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def _values(app):
    today = dt.date.today()
    return {"today": today.isoformat(), "year_ago": (today - dt.timedelta(days=365)).isoformat(),
            "display_name": "NGH CT1"}


def _fill(query, values):
    return {key: value.format(**values) for key, value in query.items()}


def _detail_urls(app, endpoint, count):
    with app.app_context():
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        argument = next(iter(rule.arguments))
        modality = MODALITY_OF[endpoint.split(".")[0]]
        total = db.session.scalar(select(func.count(Study.id))
                                  .where(Study.modality_type == modality))
        step = max(1, total // count)
        ids = db.session.scalars(select(Study.id).where(Study.modality_type == modality)
                                 .order_by(Study.id).offset(step // 2).limit(count * step)).all()
        with app.test_request_context():
            from flask import url_for

            return [url_for(endpoint, **{argument: i}) for i in ids[::step][:count]]


def _urls(app, endpoint, query, count):
    if query == "detail":
        return _detail_urls(app, endpoint, count)
    from flask import url_for

    with app.test_request_context():
        url = url_for(endpoint, **_fill(query, _values(app)))
    return [url] * count


def time_requests(client, urls) -> tuple[list[float], set]:
    """Seconds per request (the whole body read) and the status codes seen."""
    times, statuses = [], set()
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append(time.perf_counter() - started)
        statuses.add(response.status_code)
    return times, statuses


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def bench_pages(app, client, requests, db_name, size, rows, skipped):
    """Part (b): median and p95 latency of each page the application has."""
    for label, endpoint, query in PAGES:
        if endpoint not in app.view_functions:
            skipped.add(f"{label} (`{endpoint}` not in this build)")
            continue
        urls = _urls(app, endpoint, query, requests)
        if not urls:
            skipped.add(f"{label} (no study of that modality)")
            continue
        time_requests(client, urls[:2])  # warm caches and templates
        times, statuses = time_requests(client, urls)
        rows.append((db_name, size, label, statistics.median(times) * 1000,
                     _percentile(times, 0.95) * 1000, sorted(statuses)))


def bench_exports(app, client, db_name, size, rows, skipped):
    """Part (c): time and peak Python memory of each export the application has."""
    for label, endpoint, query in EXPORTS:
        if endpoint not in app.view_functions:
            skipped.add(f"{label} (`{endpoint}` not in this build)")
            continue
        url = _urls(app, endpoint, query, 1)[0]
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        client.get(url).get_data()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append((db_name, size, label, elapsed, len(body), peak / 2**20, response.status_code))


def bench_sizes(databases, sizes, requests, sqlite_max, report):
    """Populate each database to each size in turn, timing pages and exports at each."""
    population, pages, exports = [], [], []
    skipped_pages, skipped_exports, notes = set(), set(), []
    for name, app in databases:
        fresh_schema(app)
        current = 0
        for step, size in enumerate(sizes):
            if name == "sqlite" and size > sqlite_max:
                notes.append(f"SQLite at {size:,} studies skipped (above --sqlite-max "
                             f"{sqlite_max:,}).")
                continue
            with app.app_context():
                result = populate(size - current, seed=100 + step)
            population.append((name, current, size, result))
            current = size
            client = _admin_client(app)
            bench_pages(app, client, requests, name, size, pages, skipped_pages)
            bench_exports(app, client, name, size, exports, skipped_exports)
    report.append("## Population\n")
    report.append("`flask dev populate` into an empty or partly filled database.\n")
    report.append("| Database | From | To | Rows written | Seconds | Studies/s | FK checks |")
    report.append("|---|---:|---:|---:|---:|---:|---|")
    for name, start, size, result in population:
        report.append(f"| {name} | {start:,} | {size:,} | {result.rows:,} | "
                      f"{result.seconds:.0f} | {result.studies / result.seconds:,.0f} | "
                      f"{'per row' if result.checked else 'skipped (superuser)'} |")
    report.extend(f"\n{note}" for note in notes)
    report.append("\n## Pages\n")
    report.append(f"Flask test client, logged in with every role, {requests} requests per "
                  "page after two warm-up requests; detail pages spread over the modality's "
                  "studies.\n")
    if pages:
        report.append("| Database | Studies | Page | Median ms | p95 ms | Status |")
        report.append("|---|---:|---|---:|---:|---|")
        for db_name, size, label, median, p95, statuses in pages:
            report.append(f"| {db_name} | {size:,} | {label} | {median:.1f} | {p95:.1f} | "
                          f"{', '.join(map(str, statuses))} |")
    for note in sorted(skipped_pages):
        report.append(f"- skipped: {note}")
    report.append("\n## Exports\n")
    if exports:
        report.append("| Database | Studies | Export | Seconds | Bytes | Peak Python MiB "
                      "| Status |")
        report.append("|---|---:|---|---:|---:|---:|---|")
        for db_name, size, label, seconds, size_bytes, peak, status in exports:
            report.append(f"| {db_name} | {size:,} | {label} | {seconds:.2f} | {size_bytes:,} | "
                          f"{peak:.1f} | {status} |")
    for note in sorted(skipped_exports):
        report.append(f"- skipped: {note}")


# -- Command line ------------------------------------------------------------------------------


def main(argv=None):
    """Run the suite and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="database sizes (studies) for pages and exports")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few repetitions, to check the suite runs")
    parser.add_argument("--postgresql-url",
                        default=os.environ.get("KERMA_BENCH_DATABASE_URL", DEFAULT_POSTGRESQL))
    parser.add_argument("--copies", type=int, default=None,
                        help="CT report copies for the import benchmark (default 200)")
    parser.add_argument("--sqlite-max", type=int, default=300000,
                        help="largest SQLite database to populate (studies)")
    parser.add_argument("--runs", type=int, default=None,
                        help="runs per corpus file in the file-by-file table (default 3)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: imports,sizes")
    parser.add_argument("--keep-files", action="store_true",
                        help="keep the SQLite database and the report copies (path printed)")
    args = parser.parse_args(argv)

    sizes = [2000, 10000] if args.quick else sorted(int(s) for s in args.sizes.split(","))
    copies_count = args.copies or (20 if args.quick else 200)
    runs = args.runs or (1 if args.quick else 3)
    requests = 10 if args.quick else 50
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    work = Path(tempfile.mkdtemp(prefix="kerma-bench-"))
    databases = []
    if args.db in ("sqlite", "both"):
        databases.append(("sqlite", make_app(f"sqlite:///{work / 'bench.db'}")))
    postgresql_url = None
    if args.db in ("postgresql", "both"):
        postgresql_url = args.postgresql_url
        ensure_postgresql(postgresql_url)
        databases.append(("postgresql", make_app(sqlalchemy_url(postgresql_url))))

    try:
        text = run_suite(args, databases, postgresql_url, sizes, copies_count, runs, requests,
                         skip, work)
    finally:
        for _, app in databases:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if args.keep_files:
            print(f"files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{dt.datetime.now():%Y%m%d-%H%M%S}.md"
    out.write_text(text)
    print(text)
    print(f"written to {out.relative_to(REPO)}")


def run_suite(args, databases, postgresql_url, sizes, copies_count, runs, requests, skip, work):
    """The report of every part not skipped, as markdown."""
    started = time.perf_counter()
    report = [f"# Kerma benchmarks, {dt.datetime.now():%Y-%m-%d %H:%M}\n", "## Machine\n"]
    report += [f"- {name}: {value}" for name, value in machine_facts(postgresql_url)]
    report.append("")
    if "imports" not in skip:
        corpus_paths = sorted(corpus_dir().glob("*.dcm"))
        copies = make_rdsrs(work / "copies", copies_count, ("ct",), seed=1)
        bench_imports(databases, corpus_paths, copies, runs, report)
    if "sizes" not in skip:
        bench_sizes(databases, sizes, requests, args.sqlite_max, report)
    report.append(f"\nLoad average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
                  f"the suite took {(time.perf_counter() - started) / 60:.1f} min.")
    return "\n".join(report) + "\n"


if __name__ == "__main__":
    main()
