"""Export benchmark: 100,000 synthetic CT studies (about 500,000 events) from PostgreSQL.

    python bench/exports.py --database postgresql://postgres@127.0.0.1:5432/kerma_bench

Fills the database with synthetic CT studies through SQLAlchemy Core bulk inserts when it holds
fewer than ``--studies`` CT studies (the tables are dropped and created first: give it its own
database), then measures, each in a fresh process so peak memory is the export's own:

- csv: time to the header and to the first study row, studies per second, peak RSS;
- xlsx: studies per second (query to finished file), file size, peak RSS;
- xlsx-floor: XlsxWriter alone writing the same cells from memory. The export runs with its
  writes recorded instead of made (loading and laying out every row), then only the
  replay of those writes into XlsxWriter and its ``close`` are timed. The export's time over
  this floor is what loading and layout add; floor / export is the share of the export's
  time spent inside XlsxWriter.

Not a test: the figures go to docs/performance-exports.md.
"""
import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EVENTS_PER_STUDY = (3, 4, 5, 5, 5, 6, 7)  # mean 5
PROTOCOLS = ["Head routine", "Chest HRCT", "CAP portal venous", "Abdomen-pelvis",
             "CTPA", "Sinuses", "Spine lumbar", "Angio circle of Willis", "Cardiac CTA",
             "Kidneys stone", "Colonography", "Paediatric head", "Trauma whole body",
             "Liver 3 phase", "Neck soft tissue", "Temporal bones", "Chest low dose",
             "Pelvis", "Extremity", "Perfusion brain"]
DESCRIPTIONS = ["CT Head", "CT Chest", "CT Chest Abdomen Pelvis", "CT Abdomen", "CT PA",
                "CT Sinuses", "CT Spine", "CT Angio", "CT Cardiac", "CT KUB"]


def make_app(url):
    """The application on the benchmark database."""
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})


def ct_study_count(app):
    """CT studies stored."""
    from app.extensions import db
    from app.studies import count_studies

    with app.app_context():
        try:
            return count_studies("CT")
        except Exception:  # no tables yet
            db.session.rollback()
            return 0


def populate(app, studies, seed=1):
    """Drop every table and insert ``studies`` synthetic CT studies with Core bulk inserts."""
    from sqlalchemy import MetaData, insert

    from app.extensions import db
    from app.models import (
        ContextID, CtAccumulatedDoseData, CtIrradiationEventData, CtRadiationDose,
        CtXRaySourceParameters, GeneralEquipmentModuleAttr, GeneralStudyModuleAttr,
        PatientModuleAttr, PatientStudyModuleAttr, ScanningLength, UniqueEquipmentNames,
    )

    rng = random.Random(seed)
    with app.app_context():
        existing = MetaData()
        existing.reflect(db.engine)
        existing.drop_all(db.engine)
        db.create_all()
        codes = [
            ("116152004", "Spiral Acquisition"), ("113804", "Sequenced Acquisition"),
            ("113805", "Constant Angle Acquisition"), ("113806", "Stationary Acquisition"),
            ("113691", "IEC Body Dosimetry Phantom"), ("113690", "IEC Head Dosimetry Phantom"),
        ]
        with db.engine.begin() as conn:
            conn.execute(insert(ContextID), [
                {"id": i + 1, "code_value": v, "code_meaning": m, "coding_scheme_designator": "DCM"}
                for i, (v, m) in enumerate(codes)])
            conn.execute(insert(UniqueEquipmentNames), [
                {"id": i + 1, "manufacturer": "SIEMENS", "manufacturer_hash": str(i),
                 "institution_name": "Hospital", "institution_name_hash": str(i),
                 "station_name": f"CT{i + 1}", "station_name_hash": str(i),
                 "institutional_department_name_hash": "", "manufacturer_model_name": "SOMATOM",
                 "manufacturer_model_name_hash": str(i), "device_serial_number_hash": str(i),
                 "software_versions_hash": "", "gantry_id_hash": "",
                 "device_observer_uid_hash": str(i), "display_name": f"Hospital CT{i + 1}"}
                for i in range(8)])
        chunk = 5000
        event_id = source_id = 0
        start = datetime.date(2020, 1, 1)
        for first in range(0, studies, chunk):
            rows = {name: [] for name in ("study", "patient", "pstudy", "equip", "dose", "accum",
                                          "event", "source", "length")}
            for sid in range(first + 1, min(first + chunk, studies) + 1):
                n_events = rng.choice(EVENTS_PER_STUDY)
                day = start + datetime.timedelta(days=sid % 1500)
                dlps = []
                for e in range(n_events):
                    event_id += 1
                    localizer = e == 0
                    dlp = round(rng.uniform(1, 5) if localizer else rng.uniform(50, 900), 2)
                    dlps.append(dlp)
                    rows["event"].append({
                        "id": event_id, "ct_radiation_dose_id": sid,
                        "acquisition_protocol": rng.choice(PROTOCOLS),
                        "ct_acquisition_type_id": 3 if localizer else rng.choice((1, 1, 1, 2)),
                        "irradiation_event_uid": f"1.2.826.0.1.{sid}.{e}",
                        "exposure_time": round(rng.uniform(1, 20), 3),
                        "nominal_single_collimation_width": 0.6,
                        "nominal_total_collimation_width": 38.4, "pitch_factor": 0.8,
                        "number_of_xray_sources": 1,
                        "mean_ctdivol": round(rng.uniform(0.1, 60), 2),
                        "ctdiw_phantom_type_id": rng.choice((5, 6)), "dlp": dlp,
                        "xray_modulation_type": "XYZ_EC",
                        "date_time_started": datetime.datetime.combine(
                            day, datetime.time(8 + e, 0, 0)),
                    })
                    source_id += 1
                    rows["source"].append({
                        "id": source_id, "ct_irradiation_event_data_id": event_id,
                        "identification_of_the_xray_source": "A",
                        "kvp": rng.choice((80.0, 100.0, 120.0, 140.0)),
                        "maximum_xray_tube_current": 500.0,
                        "xray_tube_current": round(rng.uniform(50, 400), 1),
                        "exposure_time_per_rotation": 0.5})
                    rows["length"].append({
                        "id": event_id, "ct_irradiation_event_data_id": event_id,
                        "scanning_length": round(rng.uniform(100, 1200), 1)})
                rows["study"].append({
                    "id": sid, "study_instance_uid": f"1.2.826.0.1.{sid}", "study_date": day,
                    "study_time": datetime.time(8, rng.randrange(60), rng.randrange(60)),
                    "accession_number": f"ACC{sid:08d}",
                    "study_description": rng.choice(DESCRIPTIONS),
                    "requested_procedure_code_meaning": rng.choice(DESCRIPTIONS),
                    "procedure_code_meaning": "Computed Tomography X-Ray",
                    "operator_name": "SMITH^JO", "modality_type": "CT",
                    "number_of_events": n_events, "number_of_const_angle": 1,
                    "total_dlp": round(sum(dlps), 2)})
                rows["patient"].append({"id": sid, "general_study_module_attr_id": sid,
                                        "patient_sex": rng.choice("FM")})
                rows["pstudy"].append({"id": sid, "general_study_module_attr_id": sid,
                                       "patient_age_decimal": round(rng.uniform(1, 95), 1),
                                       "patient_weight": round(rng.uniform(40, 120), 1)})
                unit = sid % 8 + 1
                rows["equip"].append({"id": sid, "general_study_module_attr_id": sid,
                                      "manufacturer": "SIEMENS", "institution_name": "Hospital",
                                      "station_name": f"CT{unit}",
                                      "manufacturer_model_name": "SOMATOM",
                                      "unique_equipment_name_id": unit})
                rows["dose"].append({"id": sid, "general_study_module_attr_id": sid})
                rows["accum"].append({"id": sid, "ct_radiation_dose_id": sid,
                                      "total_number_of_irradiation_events": n_events,
                                      "ct_dose_length_product_total": round(sum(dlps), 2)})
            with db.engine.begin() as conn:
                for model, key in ((GeneralStudyModuleAttr, "study"), (PatientModuleAttr, "patient"),
                                   (PatientStudyModuleAttr, "pstudy"),
                                   (GeneralEquipmentModuleAttr, "equip"),
                                   (CtRadiationDose, "dose"), (CtAccumulatedDoseData, "accum"),
                                   (CtIrradiationEventData, "event"),
                                   (CtXRaySourceParameters, "source"), (ScanningLength, "length")):
                    conn.execute(insert(model), rows[key])
            print(f"  {min(first + chunk, studies)} studies", file=sys.stderr, end="\r")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                for table in db.metadata.sorted_tables:
                    if "id" not in table.c or not table.c.id.primary_key:
                        continue
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table.name}))")
                conn.exec_driver_sql("ANALYZE")
        print(file=sys.stderr)
        return event_id


def peak_rss_mb():
    """Peak resident memory of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url, fmt):
    """Run one export in this process and print its figures as JSON."""
    from app.exports import EXPORTS, csv_chunks
    from app.exports.query import export_query
    from app.extensions import db

    app = make_app(url)
    with app.app_context():
        studies = db.session.scalar(
            export_query("ct", {}).with_only_columns(db.func.count()).order_by(None))
        rss_before = peak_rss_mb()
        cpu_start = time.process_time()
        start = time.perf_counter()
        result = {"format": fmt, "studies": studies, "rss_before_mb": round(rss_before, 1)}
        if fmt == "csv":
            size = 0
            first_byte = first_header = first_row = None
            for chunk in csv_chunks(EXPORTS["ct"], export_query("ct", {})):
                size += len(chunk)
                now = time.perf_counter() - start
                if first_byte is None:
                    first_byte = now
                elif first_header is None and chunk:
                    first_header = now
                elif first_row is None and chunk:
                    first_row = now
            result.update(first_byte_s=round(first_byte, 3), header_s=round(first_header, 3),
                          first_row_s=round(first_row, 3), size_mb=round(size / 1e6, 1))
        else:
            from app.exports import write_xlsx

            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "ct.xlsx"
                write_xlsx(EXPORTS["ct"], export_query("ct", {}), path)
                result["size_mb"] = round(path.stat().st_size / 1e6, 1)
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        result.update(seconds=round(elapsed, 2), studies_per_s=round(studies / elapsed),
                      cpu_s=round(cpu, 2), studies_per_cpu_s=round(studies / cpu),
                      peak_rss_mb=round(peak_rss_mb(), 1), load_average=os.getloadavg()[0])
    print(json.dumps(result))


def measure_floor(url):
    """Record the xlsx export's cells in memory, then time XlsxWriter writing only them."""
    from app.exports import EXPORTS, spreadsheet, write_xlsx
    from app.exports.query import export_query

    app = make_app(url)
    recorded, held = [], []
    real_append, real_close = spreadsheet.Sheet.append, spreadsheet.Workbook.close

    def record(sheet, cells):
        recorded.append((sheet, cells))
        sheet.rows += 1
        return sheet.rows

    def hold(workbook):
        held.append(workbook)

    spreadsheet.Sheet.append = record
    spreadsheet.Workbook.close = hold
    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ct.xlsx"
        start = time.perf_counter()
        try:
            write_xlsx(EXPORTS["ct"], export_query("ct", {}), path)
        finally:
            spreadsheet.Sheet.append, spreadsheet.Workbook.close = real_append, real_close
        loaded = time.perf_counter() - start
        workbook = held[0]
        for sheet in workbook.sheets:
            sheet.rows = 0
        cells = sum(len(row) for _, row in recorded)
        start = time.perf_counter()
        for sheet, row in recorded:
            real_append(sheet, row)
        written = time.perf_counter() - start
        workbook.close()
        elapsed = time.perf_counter() - start
        size = path.stat().st_size
    print(json.dumps({"format": "xlsx-floor", "rows": len(recorded), "cells": cells,
                      "load_and_layout_s": round(loaded, 2), "write_s": round(written, 2),
                      "close_s": round(elapsed - written, 2), "seconds": round(elapsed, 2),
                      "us_per_cell": round(elapsed / cells * 1e6, 3),
                      "size_mb": round(size / 1e6, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
                      "load_average": os.getloadavg()[0]}))


def main():
    """Populate if needed, then measure csv and xlsx each in its own process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get(
        "KERMA_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/kerma_exports_bench"))
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--measure", choices=("csv", "xlsx", "xlsx-floor"), help=argparse.SUPPRESS)
    parser.add_argument("--formats", default="csv,xlsx,xlsx-floor")
    args = parser.parse_args()
    url = args.database
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if args.measure == "xlsx-floor":
        measure_floor(url)
        return
    if args.measure:
        measure(url, args.measure)
        return
    app = make_app(url)
    if ct_study_count(app) != args.studies:
        print(f"Populating {args.studies} CT studies...", file=sys.stderr)
        t = time.perf_counter()
        events = populate(app, args.studies)
        print(f"  {events} events in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    results = {}
    for fmt in args.formats.split(","):
        output = subprocess.run(
            [sys.executable, __file__, "--database", url, "--measure", fmt],
            check=True, capture_output=True, text=True).stdout
        print(output.strip())
        results[fmt] = json.loads(output)
    if "xlsx" in results and "xlsx-floor" in results:
        export, floor = results["xlsx"]["seconds"], results["xlsx-floor"]["seconds"]
        print(json.dumps({"xlsx_over_floor": round(export / floor, 2),
                          "xlsxwriter_share": round(floor / export, 2)}))


if __name__ == "__main__":
    main()
