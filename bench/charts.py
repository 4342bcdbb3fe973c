"""Chart benchmark: each chart's numbers, and whole Charts pages, for every stored study.

    python bench/charts.py [--database URL] [--modality ct] [--runs 5] [--workers 2]

Times ``app.charts.data.charts_data`` (a chart's rows, and a scatter chart's points, as
a page computes them) for each chart of the modality over all its studies (no filter: the worst case), without and with the split per
system; then the whole Charts page with every chart chosen, requested through the
application as a browser would (``--workers`` sets CHART_QUERY_WORKERS for it, and the page
is also timed with 1). Prints medians of ``--runs`` runs. Use a database of synthetic studies
(``flask dev populate``); not a test: the figures go to docs/performance.md.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _median_ms(function, runs):
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get(
        "KERMA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kerma_bench_1m"))
    parser.add_argument("--modality", default="ct")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from app import create_app
    from app.charts.data import charts_data
    from app.charts.definitions import CHARTS
    from app.extensions import db
    from app.modalities import MODALITIES
    from app.modalities.filtering import modality_condition
    from app.models.study import GeneralStudyModuleAttr as Study
    from bench.machine import cpu_model, memory
    from bench.run import _admin_client

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench",
                      "TESTING": True, "CHART_QUERY_WORKERS": args.workers})
    config = next(c for c in MODALITIES if c.key == args.modality)
    charts = CHARTS[args.modality]
    with app.app_context():
        where = modality_condition(config)
        count = db.session.scalar(select(func.count(Study.id)).where(where))
        print(f"{db.engine.dialect.name}, {count:,} {args.modality} studies; "
              f"{cpu_model()}, {memory()}")
        for chart in charts:
            for split in (False, True):
                if split and chart.kind == "workload":
                    continue

                def one():
                    try:
                        return charts_data([chart], where, split=split,
                                           work_mem=app.config["CHART_WORK_MEM"])[0]["rows"]
                    finally:
                        db.session.rollback()  # as a request ends: work_mem back to default
                median, rows = _median_ms(one, args.runs)
                print(f"  {chart.title}{' per system' if split else ''}: "
                      f"{median:.0f} ms median ({len(rows)} rows)")

    client = _admin_client(app)
    every = "&".join(f"chart={chart.key}" for chart in charts)
    for workers in sorted({1, args.workers}):
        app.config["CHART_QUERY_WORKERS"] = workers
        for split in ("", "1"):
            url = f"/charts/{args.modality}/?statistic=median&split={split}&{every}"
            client.get(url)  # the user's choices are saved on the first request

            def page():
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                return response
            median, _ = _median_ms(page, args.runs)
            print(f"  whole page, all {len(charts)} charts{', per system' if split else ''}, "
                  f"{workers} at once: {median:.0f} ms median")


if __name__ == "__main__":
    main()
