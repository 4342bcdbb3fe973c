"""Page latencies on a database that is already filled (``flask dev populate``).

    python bench/pages.py --database postgresql://postgres@127.0.0.1:5432/kerma_bench_1m

Times each page of ``bench/run.py``'s list (home, lists, filtered list, detail pages) with the
Flask test client logged in with every role: two warm-up requests, then ``--requests``
requests; prints median and p95 in ms. It writes only the benchmark user. Use it to re-measure
pages at a million studies without populating again.
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("KERMA_BENCH_DATABASE_URL"),
                        required="KERMA_BENCH_DATABASE_URL" not in os.environ)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import GeneralStudyModuleAttr as Study
    from bench.run import _admin_client, bench_pages, make_app

    app = make_app(args.database)
    with app.app_context():
        size = db.session.scalar(select(func.count(Study.id)))
        dialect = db.engine.dialect.name
    rows, skipped = [], set()
    bench_pages(app, _admin_client(app), args.requests, dialect, size, rows, skipped)
    print(f"{size:,} studies, {args.requests} requests per page\n")
    print("| Page | Median ms | p95 ms | Status |\n|---|---:|---:|---|")
    for _, _, label, median, p95, statuses in rows:
        print(f"| {label} | {median:.1f} | {p95:.1f} | {', '.join(map(str, statuses))} |")
    for note in sorted(skipped):
        print(f"- skipped: {note}")


if __name__ == "__main__":
    main()
