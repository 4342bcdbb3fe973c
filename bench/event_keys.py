"""What keyed, value-ordered event rows would give the radiography event charts.

    python bench/event_keys.py [--database URL] [--runs 5]

The DX charts of a value per exposure (DAP and mAs per acquisition protocol, also per
system) join the filtered studies to the events' chart index and sort the values by
protocol name. This measures, on a copy, the design recorded in docs/performance.md: each
event carrying its study's modality type and its protocol as a whole-number key (into a
table of the names), read through an index ordered by modality, key and value, grouped by
the key and named after aggregating; systems grouped by the smallest identity id of each
display name. It copies the events' chart values into a scratch table (nothing of Kerma's
tables is changed), checks that both queries give the same quartiles, times the chart as
Kerma computes it (``app.charts.data.chart_rows``) and the keyed query in alternation, prints
the medians and fastest runs, and drops the scratch tables. PostgreSQL only; use a database
of synthetic studies (``flask dev populate``). Not a test: the figures go to
docs/performance.md.
"""
import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: The scratch copy: per exposure, its study, the study's modality, a protocol key, values.
COPY = """
CREATE TABLE bench_chart_protocol AS
    SELECT row_number() OVER (ORDER BY name)::integer AS id, name
    FROM (SELECT DISTINCT acquisition_protocol AS name FROM irrad_event_xray_data
          WHERE acquisition_protocol IS NOT NULL) AS names;
CREATE TABLE bench_event_keys AS
    SELECT e.chart_study_id AS study_id, s.modality_type AS modality, p.id AS protocol_id,
           e.dose_area_product AS dap, e.chart_exposure AS exposure
    FROM irrad_event_xray_data e
    JOIN general_study_module_attr s ON s.id = e.chart_study_id
    LEFT JOIN bench_chart_protocol p ON p.name = e.acquisition_protocol;
CREATE INDEX bench_event_keys_dap ON bench_event_keys (modality, protocol_id, dap, study_id);
CREATE INDEX bench_event_keys_exposure
    ON bench_event_keys (modality, protocol_id, exposure, study_id);
"""
DROP = "DROP TABLE IF EXISTS bench_event_keys; DROP TABLE IF EXISTS bench_chart_protocol;"

#: The keyed query; {value} is a column of the copy, {types} the modality types; per system
#: (``_keyed(..., split=True)``) grouped also by the smallest identity id of each display name.
KEYED = """
{shown}SELECT p.name AS category{system_name}, a.n, a.q1, a.median, a.q3 FROM (
    SELECT k.protocol_id AS pid{system_key}, count(k.{value}) AS n,
           percentile_cont(0.25) WITHIN GROUP (ORDER BY k.{value}) AS q1,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY k.{value}) AS median,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY k.{value}) AS q3
    FROM general_study_module_attr s JOIN bench_event_keys k ON k.study_id = s.id{system_join}
    WHERE k.modality IN {types} AND s.modality_type IN {types} AND k.{value} IS NOT NULL
    GROUP BY k.protocol_id{system_group}) a
LEFT JOIN bench_chart_protocol p ON p.id = a.pid{system_names} ORDER BY {order}
"""
SPLIT = {
    "shown": "WITH shown AS (SELECT id, min(id) OVER (PARTITION BY display_name) AS key\n"
             "               FROM unique_equipment_names)\n",
    "system_name": ", coalesce(u.display_name, 'Unknown system') AS system",
    "system_key": ", sh.key AS skey",
    "system_join": "\n    LEFT JOIN shown sh ON sh.id = s.unique_equipment_name_id",
    "system_group": ", sh.key",
    "system_names": "\nLEFT JOIN unique_equipment_names u ON u.id = a.skey",
    "order": "1, 2",
}


def _keyed(value: str, types: str, split: bool) -> str:
    parts = SPLIT if split else {**{key: "" for key in SPLIT}, "order": "p.name"}
    return KEYED.format(value=value, types=types, **parts)


#: Kerma's chart key, the copy's value column, split per system.
CASES = (("dap_protocol", "dap", False), ("mas_protocol", "exposure", False),
         ("dap_protocol", "dap", True))


def _close(a, b) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-12))


def _timed_ms(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get(
        "KERMA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kerma_bench_1m"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import text

    from app import create_app
    from app.charts.data import chart_rows
    from app.charts.definitions import CHARTS
    from app.database import for_aggregates
    from app.extensions import db
    from app.modalities import MODALITIES
    from app.modalities.filtering import modality_condition
    from bench.machine import cpu_model, memory

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench",
                      "TESTING": True})
    config = next(c for c in MODALITIES if c.key == "dx")
    types = "(" + ", ".join(f"'{t}'" for t in config.modality_types) + ")"
    charts = {chart.key: chart for chart in CHARTS["dx"]}
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("bench/event_keys.py measures PostgreSQL plans; give a PostgreSQL URL")
        print(f"{cpu_model()}, {memory()}; copying the events' chart values ...", flush=True)
        with db.engine.begin() as connection:
            connection.execute(text(DROP))
            connection.execute(text(COPY))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE bench_event_keys"))
            connection.execute(text("ANALYZE bench_chart_protocol"))
        def aggregated(query):
            """``query()`` with the chart queries' settings, in a transaction of its own
            (rolled back, as a request's is)."""
            for_aggregates(db.session, app.config["CHART_WORK_MEM"])
            try:
                return query()
            finally:
                db.session.rollback()

        try:
            where = modality_condition(config)
            for key, value, split in CASES:
                chart = charts[key]
                keyed = text(_keyed(value, types, split))

                def as_built():
                    return aggregated(lambda: chart_rows(db.session, chart, where, split))

                def with_keys():
                    return aggregated(lambda: db.session.execute(keyed).mappings().all())

                built, found = as_built(), with_keys()  # also warms both
                scale = chart.scale
                same = len(built) == len(found) and all(
                    b["category"] == (f["category"] if f["category"] is not None else "(none)") and b["n"] == f["n"]
                    and (not split or b["system"] == f["system"])
                    and all(_close(b[q], None if f[q] is None else f[q] * scale)
                            for q in ("q1", "median", "q3"))
                    for b, f in zip(built, found))
                times = {"as built": [], "keyed": []}
                for run in range(args.runs):
                    order = (("as built", as_built), ("keyed", with_keys))
                    for label, function in (order if run % 2 == 0 else order[::-1]):
                        times[label].append(_timed_ms(function))
                figures = ", ".join(f"{label} {statistics.median(t):.0f} ms ({min(t):.0f})"
                                    for label, t in times.items())
                print(f"  {chart.title}{' per system' if split else ''}: {figures}; "
                      f"{len(built)} rows, {'same quartiles' if same else 'ROWS DIFFER'}",
                      flush=True)
        finally:
            db.session.rollback()
            with db.engine.begin() as connection:
                connection.execute(text(DROP))


if __name__ == "__main__":
    main()
