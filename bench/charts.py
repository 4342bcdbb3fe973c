"""Chart benchmark: each chart's numbers for every stored study of a modality.

    python bench/charts.py [--database URL] [--modality ct] [--runs 5]

Times ``app.charts.data.chart_rows`` for each chart of the modality over all its studies (no
filter: the worst case), without and with the split per system, and prints the median of
``--runs`` runs. Use a database of synthetic studies (``bench/exports.py`` writes 100,000 CT
studies; ``flask dev populate`` all modalities). Not a test: the figures go to
docs/performance.md.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get(
        "KERMA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kerma_xlsx_bench"))
    parser.add_argument("--modality", default="ct")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from app import create_app
    from app.charts.data import chart_rows
    from app.charts.definitions import CHARTS
    from app.extensions import db
    from app.modalities import MODALITIES
    from app.modalities.filtering import modality_condition
    from app.models.study import GeneralStudyModuleAttr as Study
    from bench.machine import cpu_model, memory

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench",
                      "TESTING": True})
    config = next(c for c in MODALITIES if c.key == args.modality)
    with app.app_context():
        studies = select(Study.id).where(modality_condition(config)).subquery("filtered")
        count = db.session.scalar(select(func.count()).select_from(studies))
        print(f"{db.engine.dialect.name}, {count:,} {args.modality} studies; "
              f"{cpu_model()}, {memory()}")
        page = []
        for chart in CHARTS[args.modality]:
            for split in (False, True):
                if split and chart.kind == "workload":
                    continue
                times = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    rows = chart_rows(db.session, chart, studies, split=split)
                    times.append(time.perf_counter() - started)
                median = statistics.median(times)
                if not split:
                    page.append(median)
                print(f"  {chart.title}{' per system' if split else ''}: "
                      f"{median * 1000:.0f} ms median ({len(rows)} rows)")
        print(f"  all charts of the page, one after another: {sum(page) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
