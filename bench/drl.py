"""DRL comparison benchmark: medians per system and examination over stored CT studies.

    python bench/drl.py --database postgresql://postgres@127.0.0.1:5432/kerma_xlsx_bench

Uses the synthetic CT studies that ``bench/exports.py`` writes (run it first, give
``--populate N``, or point at any database of studies): adds the DRL tables if missing, loads the UK adult CT set, maps every
study description and acquisition protocol to one of its examinations, then times
``compare`` (DLP per study and CTDIvol per sequence, every system) several times, over
every stored study and over the comparison page's default period (the last twelve months),
and prints the medians. Not a test: the figures go to docs/performance.md.
"""
import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: Synthetic names -> UK examinations (the rest stay unmapped, as on a real site).
DESCRIPTIONS = {"CT Head": "Head (acute stroke)", "CT Chest": "Chest (lung cancer)",
                "CT Chest Abdomen Pelvis": "Chest, abdomen and pelvis (cancer)",
                "CT Abdomen": "Abdomen and pelvis (abscess)",
                "CT PA": "CT pulmonary angiography (pulmonary embolism)",
                "CT Sinuses": "Paranasal sinuses (sinus disease)",
                "CT Spine": "Cervical spine (fracture)",
                "CT KUB": "Kidneys, ureters, bladder (stones or colic)",
                # the names of ``flask dev populate``
                "CT Abdomen Pelvis": "Abdomen and pelvis (abscess)",
                "CT Pulmonary Angiogram": "CT pulmonary angiography (pulmonary embolism)",
                "CT Cervical Spine": "Cervical spine (fracture)"}
PROTOCOLS = {"Head routine": "Head (acute stroke)", "Head Routine": "Head (acute stroke)",
             "Chest HRCT": "Chest high resolution (interstitial lung disease)"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get(
        "KERMA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kerma_xlsx_bench"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--populate", type=int, metavar="STUDIES",
                        help="first replace the database's contents with this many synthetic CT "
                             "studies (bench/exports.py's generator)")
    args = parser.parse_args()
    if args.populate:
        from bench.exports import make_app, populate
        populate(make_app(args.database), args.populate)

    from sqlalchemy import func, select

    from app import create_app
    from app.drl.comparison import compare
    from app.drl.views import DEFAULT_PERIOD_DAYS
    from app.drl.naming import assign
    from app.drl.sets import load_national
    from app.extensions import db
    from app.models import GeneralStudyModuleAttr as Study
    from app.models.ct import CtIrradiationEventData
    from app.models.drl import DrlSet
    from bench.machine import cpu_model, memory

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench",
                      "TESTING": True})
    with app.app_context():
        db.create_all()  # only the tables missing (DRL sets, standard names)
        studies = db.session.scalar(select(func.count(Study.id)))
        events = db.session.scalar(select(func.count(CtIrradiationEventData.id)))
        name = "UK NDRL 2024 adult CT"
        drl_set = load_national(name, replace=True)
        assign("CT", [("study_description", n) for n in DESCRIPTIONS], None)
        for description, examination in DESCRIPTIONS.items():
            assign("CT", [("study_description", description)], examination)
        for protocol, examination in PROTOCOLS.items():
            assign("CT", [("acquisition_protocol", protocol)], examination)
        drl_set = db.session.scalars(select(DrlSet).where(DrlSet.name == name)).one()
        periods = {"all studies": None,
                   "last 12 months (the page's default)":
                       datetime.date.today() - datetime.timedelta(days=DEFAULT_PERIOD_DAYS)}
        timings = {}
        for label, date_from in periods.items():
            times, rows = [], []
            for _ in range(args.runs):
                started = time.perf_counter()
                rows = compare(drl_set, date_from)
                times.append(time.perf_counter() - started)
                db.session.expire_all()
            timings[label] = (times, len(rows))
        dialect = db.engine.dialect.name
    print(f"{dialect}, {studies:,} studies, {events:,} CT events; {cpu_model()}, {memory()}")
    for label, (times, count) in timings.items():
        print(f"compare(), {label}: {count} comparison rows, median "
              f"{statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
