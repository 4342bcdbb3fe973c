"""Equipment and standard-name benchmark: settings changes applied to 100,000 stored studies.

    python bench/equipment.py --database postgresql://postgres@127.0.0.1:5432/kerma_equipment_bench

Fills the database (tables created if missing) with synthetic radiography studies from
``flask dev populate --modalities dx`` until it holds ``--studies`` of them, then times, each
``--runs`` times, in its own transaction and committed:

- a display name given to every radiography device identity (the lists read the name
  through the identity, so this is one UPDATE of a few rows), then the list query that finds
  the merged system's studies by that name;
- a user-defined modality (RF) forced on those devices, which rewrites every study's
  modality type in committed chunks (as the task queue does it) and recounts their tally
  rows, and clearing it again;
- one standard name given to every study description the studies carry (one mapping row per
  name), then the list query that finds the studies by the standard name.

Not a test: the figures go to docs/performance.md. Give it a database of its own.
"""
import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed(runs, work):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return times, result


def _line(label, times, result=None):
    extra = f" ({result})" if result is not None else ""
    return (f"{label}: median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
            f"max {max(times):.3f} s over {len(times)} runs{extra}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get(
        "KERMA_BENCH_DATABASE_URL",
        "postgresql://postgres@127.0.0.1:5432/kerma_equipment_bench"))
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from app import create_app
    from app.dev.populate import populate
    from app.drl.naming import assign
    from app.equipment.identities import set_display_name, set_user_modality
    from app.extensions import db
    from app.models import GeneralStudyModuleAttr as Study
    from app.models.study import UniqueEquipmentNames
    from app.modalities import DX, RF
    from app.modalities.filtering import apply_filters
    from bench.machine import cpu_model, memory

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench",
                      "TESTING": True})

    def count(config, query_args):
        query = apply_filters(config, {**query_args, "test_data": "yes"}).unordered
        return db.session.scalar(query.with_only_columns(func.count(Study.id)))

    with app.app_context():
        db.create_all()
        stored = db.session.scalar(select(func.count(Study.id)).where(
            Study.modality_type.in_(DX.modality_types + RF.modality_types)))
        if stored < args.studies:
            started = time.perf_counter()
            populate(args.studies - stored, modalities=["dx"], until=dt.date(2026, 12, 1))
            print(f"populated {args.studies - stored:,} studies in "
                  f"{time.perf_counter() - started:.0f} s")
        identities = db.session.scalars(
            select(UniqueEquipmentNames.id).where(UniqueEquipmentNames.id.in_(
                select(Study.unique_equipment_name_id).where(
                    Study.modality_type.in_(DX.modality_types + RF.modality_types))))).all()
        studies = count(DX, {}) + count(RF, {})
        descriptions = db.session.scalars(
            select(Study.study_description).where(Study.study_description.is_not(None))
            .distinct()).all()
        dialect = db.engine.dialect.name
        lines = [f"{dialect}, {studies:,} radiography studies on {len(identities)} device "
                 f"identities, {len(descriptions)} study descriptions; {cpu_model()}, {memory()}"]

        names = iter(range(10**6))
        times, _ = _timed(args.runs, lambda: set_display_name(
            identities, f"Radiography {next(names)}"))
        lines.append(_line("display name for every identity", times))
        times, found = _timed(args.runs, lambda: count(
            DX, {"display_name": f'"Radiography {args.runs - 1}"'}))
        lines.append(_line("list count by the new display name", times, f"{found:,} studies"))

        moved_times, cleared_times, moved = [], [], 0
        for _ in range(args.runs):
            started = time.perf_counter()
            moved = set_user_modality(identities, "RF")
            moved_times.append(time.perf_counter() - started)
            assert count(DX, {}) == 0
            started = time.perf_counter()
            set_user_modality(identities, None)
            cleared_times.append(time.perf_counter() - started)
        lines.append(_line("user-defined modality RF forced", moved_times, f"{moved:,} studies moved"))
        lines.append(_line("user-defined modality cleared", cleared_times))

        mapped = [("study_description", name) for name in descriptions]
        standard = iter(range(10**6))
        times, changed = _timed(args.runs, lambda: assign("DX", mapped, f"Standard {next(standard)}"))
        lines.append(_line("one standard name for every description", times,
                           f"{changed} names"))
        times, found = _timed(args.runs, lambda: count(
            DX, {"standard_name": f'"Standard {args.runs - 1}"'}))
        lines.append(_line("list count by the standard name", times, f"{found:,} studies"))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
