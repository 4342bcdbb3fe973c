"""csv and xlsx exports: headers, values and units against corpus objects and synthetic studies,
roles, patient identifiers, formula neutralisation, unicode, streaming and the command line."""
import csv
import datetime
import inspect
import io
import tempfile

import openpyxl
import pytest

from app.exports import EXPORTS, csv_chunks, write_xlsx
from app.exports import columns as c
from app.exports import loading
from app.exports.common import exam_columns
from app.exports.query import export_query
from app.extensions import db
from app.importing import import_file
from app.models.auth import AuditLog
from app.models.settings import PatientIDSettings
from conformance import CORPUS
from export_records import (
    CRANIO_CAUDAL, LEFT, MLO, RIGHT, STATIONARY, ct_event, ct_record, mg_event,
    mg_record, rf_event, rf_record, store,
)

DICOM = CORPUS / "dicom"
needs_corpus = pytest.mark.skipif(not DICOM.is_dir(), reason=f"corpus not found at {CORPUS}")
RF_TOTALS = {"dose_area_product_total": 1.9e-4, "dose_rp_total": 0.016,
             "fluoro_dose_area_product_total": 9e-5, "fluoro_dose_rp_total": 0.006,
             "total_fluoro_time": 12.0, "acquisition_dose_area_product_total": 1e-4,
             "acquisition_dose_rp_total": 0.01, "total_acquisition_time": 4.0}
# Number columns without a unit: counts, ratios and indices.
UNITLESS = ("Pitch factor", "Number of", "Exposure index", "Target exposure index",
            "Deviation index", "Relative x-ray exposure", "Magnification factor",
            "Per-pulse values", "number of")


def _import(app, *names):
    with app.app_context():
        for name in names:
            outcome = import_file(DICOM / name)
            assert outcome.status == "imported", outcome.line()
            db.session.commit()


def _csv(data: bytes) -> tuple[list[str], list[dict]]:
    assert data.startswith(b"\xef\xbb\xbf"), "csv starts with a UTF-8 byte-order mark"
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    return rows[0], [dict(zip(rows[0], row)) for row in rows[1:]]


def _export_csv(app, modality, args=None, identifiers=None):
    with app.app_context():
        query = export_query(modality, args or {})
        kwargs = {} if identifiers is None else {"identifiers": identifiers}
        return _csv(b"".join(csv_chunks(EXPORTS[modality], query, **kwargs)))


def _export_xlsx(app, modality, tmp_path, args=None):
    path = tmp_path / f"{modality}.xlsx"
    with app.app_context():
        write_xlsx(EXPORTS[modality], export_query(modality, args or {}), path)
    return openpyxl.load_workbook(path)


def _sheet_rows(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    return response


# --- values against the corpus -----------------------------------------------------------------

@needs_corpus
def test_ct_csv_holds_each_event_to_the_right(app):
    _import(app, "CT-RDSR-Siemens-Multi-3.dcm")
    headers, rows = _export_csv(app, "ct")
    assert len(rows) == 1
    row = rows[0]
    assert row["Accession number"] == "3599305798462538"
    assert row["Study date"] == "2018-01-05"
    assert row["Study time"] == "17:17:12.641000"
    assert row["Study description"] == "Thorax^RTP_4DCT_Thorax_C (Adult)"
    assert row["Total DLP (mGy·cm)"] == "236.09"
    assert row["Number of events"] == "3"
    assert row["E1 Protocol"] == "Topogram"
    assert row["E1 Type"] == "Constant Angle Acquisition"
    assert row["E1 CTDIvol (mGy)"] == "0.15"
    assert row["E2 CTDIvol (mGy)"] == "8.13"
    assert row["E2 DLP (mGy·cm)"] == "69.81"
    assert row["E2 Phantom"] == "32 cm"
    assert row["E2 S1 kVp (kV)"] == "120.0"
    assert row["E2 S1 tube current (mA)"] == "22.0"
    assert row["E3 Scanning length (mm)"] == "238.0"
    assert "E4 CTDIvol (mGy)" not in headers
    # Event columns in logical order, not alphabetical.
    first_event = [h for h in headers if h.startswith("E1 ")]
    assert first_event[:4] == ["E1 Protocol", "E1 Type", "E1 Exposure time (s)",
                               "E1 Scanning length (mm)"]


@needs_corpus
def test_ct_xlsx_numbers_dates_and_protocol_sheets(app, tmp_path):
    _import(app, "CT-RDSR-Siemens-Multi-3.dcm")
    book = _export_xlsx(app, "ct", tmp_path)
    assert book.sheetnames == ["Summary", "All data", "4DCT", "Topogram"]
    all_data = book["All data"]
    headers = [cell.value for cell in all_data[1]]
    row = dict(zip(headers, [cell for cell in all_data[2]]))
    assert row["E2 CTDIvol (mGy)"].value == 8.13
    assert row["E2 CTDIvol (mGy)"].data_type == "n"
    assert row["Study date"].is_date
    assert row["Study date"].value == datetime.datetime(2018, 1, 5)
    assert row["Study time"].value == datetime.time(17, 17, 12, 641000)
    assert row["Accession number"].value == "3599305798462538"
    scans = _sheet_rows(book["4DCT"])
    assert [r["CTDIvol (mGy)"] for r in scans] == [8.13, 7.02]
    assert [r["DLP (mGy·cm)"] for r in scans] == [69.81, 158.82]
    assert all(r["Accession number"] == "3599305798462538" for r in scans)
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert ("Number of studies", 1) == summary[3][:2]
    table = summary.index(next(r for r in summary if r[0] == "Study description"))
    assert summary[table + 1][0] == "Thorax^RTP_4DCT_Thorax_C (Adult)"
    frequencies = {r[6]: r[7] for r in summary[table + 1:] if r[6]}
    assert frequencies == {"4DCT": 2, "Topogram": 1}


@needs_corpus
def test_csv_and_xlsx_share_headers_and_units(app, tmp_path):
    _import(app, "CT-RDSR-Siemens-Multi-3.dcm", "DX-Im-Carestream_DRX.dcm",
            "NM-RRDSR-Siemens.dcm", "MG-Im-GE-SenDS-scaled.dcm")
    for modality in ("ct", "dx", "nm"):
        headers, _ = _export_csv(app, modality)
        book = _export_xlsx(app, modality, tmp_path)
        assert [cell.value for cell in book["All data"][1]] == headers, modality
    mg_headers, _ = _export_csv(app, "mg")
    protocol_sheet = _export_xlsx(app, "mg", tmp_path).worksheets[2]
    assert [cell.value for cell in protocol_sheet[1]] == mg_headers
    for export in EXPORTS.values():
        columns = exam_columns(export) + list(export.event_columns)
        for column in columns:
            if column.kind == c.NUMBER:
                assert "(" in column.header or any(
                    word in column.header for word in UNITLESS), column.header
        headers = [column.header for column in columns]
        assert "Test patient" in headers and "Study comments" in headers


@needs_corpus
def test_dx_dap_in_cgy_cm2_and_negative_numbers_stay_numbers(app, tmp_path):
    _import(app, "DX-Im-Carestream_DRX.dcm", "DX-Im-GE_XR220-1.dcm", "DX-Im-GE_XR220-2.dcm")
    _, rows = _export_csv(app, "dx")
    by_model = {row["Model name"]: row for row in rows}
    drx = by_model["DRX-REVOLUTION"]
    assert drx["Total DAP (cGy·cm²)"] == "6.33"
    assert drx["E1 DAP (cGy·cm²)"] == "6.33"
    assert drx["E1 kVp (kV)"] == "100.0"
    assert drx["E1 Exposure index"] == "256.88"
    ge = by_model["Optima XR220"]
    assert ge["E1 Deviation index"] == "-9.3"  # a number, not text to neutralise
    book = _export_xlsx(app, "dx", tmp_path)
    rows = _sheet_rows(book["All data"])
    ge_row = next(r for r in rows if r["Model name"] == "Optima XR220")
    assert ge_row["E1 Deviation index"] == -9.3
    assert next(r for r in rows if r["Model name"] == "DRX-REVOLUTION")["E1 DAP (cGy·cm²)"] == 6.33


@needs_corpus
def test_mg_csv_has_one_row_per_exposure_with_agd(app):
    _import(app, "MG-Im-GE-SenDS-scaled.dcm")
    _, rows = _export_csv(app, "mg")
    assert len(rows) == 1
    row = rows[0]
    assert row["AGD (mGy)"] == "1.373"
    assert row["kVp (kV)"] == "29.0"
    assert row["Target"] == "Rh"
    assert row["Filter"] == "Rh"
    assert row["View"] == "cranio-caudal"
    assert row["Laterality"] == "Left"
    assert row["mAs (mAs)"] == "51.8"  # 51,800 µAs
    assert row["Field area (cm²)"] == "437.39"  # 0.043739 m²
    assert row["Total AGD left (mGy)"] == "1.373"


@needs_corpus
def test_nm_administered_activity_and_organ_doses(app):
    _import(app, "NM-RRDSR-Siemens.dcm")
    headers, rows = _export_csv(app, "nm")
    row = rows[0]
    assert row["Administered activity (MBq)"] == "394.0"
    assert row["Effective dose (mSv)"] == "7.486"
    assert row["Radionuclide"] == "^18^Fluorine"
    assert row["Route of administration"] == "Intravenous route"
    assert row["Organ 3 finding site"] == "Brain"
    assert row["Organ 3 dose (mGy)"] == "14.97"
    assert "Number of events" not in headers


@needs_corpus
def test_rf_dose_report_plane_totals_and_exposures(app, tmp_path):
    _import(app, "RF-RDSR-Siemens-Zee.dcm")
    _, rows = _export_csv(app, "rf")
    row = rows[0]
    assert row["A DAP total (cGy·cm²)"] == "16.0"  # 0.000016 Gy·m²
    assert row["A Fluoro DAP total (cGy·cm²)"] == "16.0"
    assert row["A Dose at RP total (Gy)"] == "0.00252"
    assert row["A Fluoro time total (s)"] == "28.0"
    assert row["A Number of events"] == "8"
    book = _export_xlsx(app, "rf", tmp_path)
    exposures = _sheet_rows(book["FL - Ang"])
    assert exposures[0]["DAP (cGy·cm²)"] == 1.0
    assert exposures[0]["kVp (kV)"] == 77.0
    assert exposures[0]["Pulse rate (pulse/s)"] == 7.5
    assert exposures[0]["Filter material"] == "Cu"
    assert exposures[0]["Mean filter thickness (mm)"] == 0.6
    assert exposures[1]["DAP (cGy·cm²)"] == 1.2
    groups = _sheet_rows(book["All data"])[0]
    assert groups["G1 Protocol"] == "FL - Ang"
    assert sum(groups[f"G{n} Number of exposures"] for n in range(1, 9)
               if f"G{n} Number of exposures" in groups) == 8


@needs_corpus
def test_mg_dose_report_with_per_pulse_values(app):
    _import(app, "MG-RDSR-GEPristina-2D.dcm")
    _, rows = _export_csv(app, "mg")
    assert len(rows) == 8
    first = rows[0]
    assert first["kVp (kV)"] == "34.045"  # mean of 34.1 and 33.99
    assert first["mA (mA)"] == "16.24"  # mean of 2.0 and 30.48
    assert first["mAs (mAs)"] == "17.112549"  # 2.0 mA × 51.44 ms + 30.48 mA × 558.06 ms
    assert first["Per-pulse values"] == "2"
    assert first["Filter"] == "Ag"  # two silver filters, named once
    assert first["AGD (mGy)"] == "1.22"
    assert first["Total AGD right (mGy)"] == "9.68"


@needs_corpus
def test_dx_dose_report_total_dap(app):
    _import(app, "DX-RDSR-Canon_CXDI.dcm")
    _, rows = _export_csv(app, "dx")
    assert rows[0]["Total DAP (cGy·cm²)"] == "10.7"
    assert rows[0]["E1 DAP (cGy·cm²)"] == "10.7"
    assert rows[0]["E1 Protocol"] == "THORAX AP 90kv-0,9mAs"


# --- synthetic studies -------------------------------------------------------------------------

def _rf_study(app):
    with app.app_context():
        store(rf_record([
            rf_event("Cardiac", 2e-5, 0.001),
            rf_event("Cardiac", 3e-5, 0.002, angles=(3.0, 0.0)),
            rf_event("Cardiac", 4e-5, 0.003, angles=(30.0, 0.0)),
            rf_event("DSA", 1e-4, 0.01, kind=STATIONARY, pulse_rate=2.0),
        ], RF_TOTALS))


def test_rf_csv_has_plane_totals_in_cgy_cm2(app):
    _rf_study(app)
    headers, rows = _export_csv(app, "rf")
    row = rows[0]
    assert row["Physician"] == "Dr^Who"
    assert row["A DAP total (cGy·cm²)"] == "190.0"  # 1.9e-4 Gy·m²
    assert row["A Fluoro DAP total (cGy·cm²)"] == "90.0"
    assert row["A Dose at RP total (Gy)"] == "0.016"
    assert row["A Fluoro time total (s)"] == "12.0"
    assert row["A Number of events"] == "4"
    assert row["B DAP total (cGy·cm²)"] == ""
    assert not [h for h in headers if h.startswith("G1")]


def test_rf_xlsx_groups_exposures_and_lists_each_on_its_protocol_sheet(app, tmp_path):
    _rf_study(app)
    book = _export_xlsx(app, "rf", tmp_path)
    assert book.sheetnames == ["Summary", "All data", "Cardiac", "DSA"]
    row = _sheet_rows(book["All data"])[0]
    # Exposures 1 and 2 share everything and lie within 5°; exposure 3 is 30° away.
    assert row["G1 Number of exposures"] == 2
    assert row["G1 DAP min (cGy·cm²)"] == 20.0
    assert row["G1 DAP max (cGy·cm²)"] == 30.0
    assert row["G1 DAP mean (cGy·cm²)"] == 25.0
    assert row["G2 Number of exposures"] == 1
    assert row["G2 Primary angle mean (°)"] == 30.0
    assert row["G3 Type"] == "Stationary Acquisition"
    assert row["G3 Pulse rate (pulse/s)"] == 2.0
    assert "G4 Type" not in row
    cardiac = _sheet_rows(book["Cardiac"])
    assert [r["DAP (cGy·cm²)"] for r in cardiac] == [20.0, 30.0, 40.0]
    assert [r["Dose at RP (Gy)"] for r in cardiac] == [0.001, 0.002, 0.003]
    assert cardiac[0]["Filter material"] == "Cu"
    assert cardiac[0]["Time"] == datetime.datetime(2024, 3, 4, 10, 31)
    assert cardiac[0]["A DAP total (cGy·cm²)"] == 190.0


def test_per_pulse_tomosynthesis_exports_one_row_per_event(app, tmp_path):
    with app.app_context():
        store(mg_record([
            mg_event(CRANIO_CAUDAL, RIGHT, 1.6, kvps=(30.0, 31.0, 32.0, 0.0),
                     currents=(50.0, 60.0, 70.0, 80.0), widths=(10.0, 10.0, 10.0, 10.0),
                     protocol="Tomo"),
            mg_event(MLO, LEFT, 1.1, kvps=(28.0,), currents=(100.0,),
                     exposures=(40000.0,)),
        ]))
    _, rows = _export_csv(app, "mg")
    assert len(rows) == 2
    tomo = next(r for r in rows if r["Protocol"] == "Tomo")
    assert tomo["kVp (kV)"] == "31.0"  # mean of 30, 31, 32; the zero is no pulse value
    assert tomo["mA (mA)"] == "65.0"
    assert tomo["mAs (mAs)"] == "2.6"  # (50 + 60 + 70 + 80) mA × 10 ms
    assert tomo["Per-pulse values"] == "4"
    assert tomo["AGD (mGy)"] == "1.6"
    single = next(r for r in rows if r["Protocol"] == "ROUTINE")
    assert single["mAs (mAs)"] == "40.0"
    assert single["kVp (kV)"] == "28.0"
    assert single["Per-pulse values"] == "1"
    book = _export_xlsx(app, "mg", tmp_path)
    row = _sheet_rows(book["All data"])[0]
    assert {row["E1 kVp (kV)"], row["E2 kVp (kV)"]} == {31.0, 28.0}
    assert row["Total AGD right (mGy)"] == 1.6
    assert row["Total AGD left (mGy)"] == 1.1


def test_multi_valued_kvp_in_fluoroscopy_is_averaged(app):
    with app.app_context():
        store(rf_record([rf_event("Pulsed", 1e-5, 0.001, kvps=(70.0, 72.0, 74.0),
                                  currents=(8.0, 10.0), widths=(4.0, 6.0))], RF_TOTALS))
    with app.app_context():
        study = next(loading_studies("rf"))
    event = study.events[0]
    shape = EXPORTS["rf"].event_shape
    assert event[shape.position("derived.kvp")] == 72.0
    assert event[shape.position("derived.tube_current")] == 9.0
    assert event[shape.position("derived.pulse_width")] == 5.0


def loading_studies(modality):
    """Every loaded study of ``modality``, through the export loader."""
    query = export_query(modality, {})
    for batch in loading.study_batches(db.session, query, EXPORTS[modality]):
        yield from batch


def test_sheet_names_are_valid_unique_and_truncated(app, tmp_path):
    protocols = ["Head/Neck [contrast]", "head/neck [contrast]", "A" * 40, "A" * 40 + "B",
                 "'quoted'", "History", "Summary", None]
    with app.app_context():
        store(ct_record([ct_event(p, 1.0 + i, 10.0) for i, p in enumerate(protocols)]))
    book = _export_xlsx(app, "ct", tmp_path)
    names = book.sheetnames
    assert names[:2] == ["Summary", "All data"]
    assert len({name.lower() for name in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")
    assert "Head_Neck _contrast_" in names
    assert "head_Neck _contrast_ (2)" not in names  # names compare without case
    assert "head_neck _contrast_ (2)" in names
    assert "A" * 31 in names and "A" * 27 + " (2)" in names
    assert "quoted" in names and "History_" in names and "Summary (2)" in names
    assert "Unknown protocol" in names
    # The Summary maps every sheet to its full protocol name.
    summary = list(book["Summary"].iter_rows(values_only=True))
    mapping = {row[9]: row[10] for row in summary if row[9] and row[9] != "Sheet"}
    assert mapping["A" * 27 + " (2)"] == "A" * 40 + "B"
    ctdi = {name: _sheet_rows(book[name])[0]["CTDIvol (mGy)"] for name in names[2:]}
    assert ctdi["Unknown protocol"] == 8.0


def test_formula_text_is_neutralised_in_csv_and_xlsx(app, tmp_path):
    formula = '=HYPERLINK("http://example.com","click")'
    with app.app_context():
        store(ct_record([ct_event("+SUM(A1)", 2.5, 50.0)], description=formula))
    _, rows = _export_csv(app, "ct")
    assert rows[0]["Study description"] == "'" + formula
    assert rows[0]["E1 Protocol"] == "'+SUM(A1)"
    book = _export_xlsx(app, "ct", tmp_path)
    cell = book["All data"]["O2"]
    assert book["All data"]["O1"].value == "Study description"
    assert cell.value == "'" + formula
    assert cell.data_type == "s"


def test_unicode_round_trips_in_csv_and_xlsx(app, client, login_as, tmp_path):
    with app.app_context():
        db.session.add(PatientIDSettings(name_stored=True, name_hashed=False, id_stored=True,
                                         id_hashed=False, dob_stored=True))
        db.session.commit()
        store(ct_record([ct_event("Schädel 山田", 30.0, 600.0)], description="Kopf ü 山田",
                        patient={"patient_name": "Müller^山田", "patient_id": "ü-42",
                                 "patient_birth_date": datetime.date(1970, 5, 6)}))
    login_as("view", "export", "pid")
    headers, rows = _csv(_download(client, "/exports/ct.csv?with_pid=1").data)
    assert rows[0]["Patient name"] == "Müller^山田"
    assert rows[0]["Patient ID"] == "ü-42"
    assert rows[0]["Date of birth"] == "1970-05-06"
    assert rows[0]["Study description"] == "Kopf ü 山田"
    assert rows[0]["E1 Protocol"] == "Schädel 山田"
    path = tmp_path / "u.xlsx"
    path.write_bytes(_download(client, "/exports/ct.xlsx?with_pid=1").data)
    book = openpyxl.load_workbook(path)
    row = _sheet_rows(book["All data"])[0]
    assert row["Patient name"] == "Müller^山田"
    assert row["Study description"] == "Kopf ü 山田"
    assert "Schädel 山田" in book.sheetnames


def test_hashed_identifiers_are_shown_as_stored_and_flagged(app, client, login_as):
    with app.app_context():
        db.session.add(PatientIDSettings(name_stored=True, name_hashed=True, id_stored=True,
                                         id_hashed=True))
        db.session.commit()
        store(ct_record([ct_event("Head", 30.0, 600.0)],
                        patient={"patient_name": "DOE^JANE", "patient_id": "12345"}))
    login_as("view", "export", "pid")
    headers, rows = _csv(_download(client, "/exports/ct.csv?with_pid=1").data)
    assert len(rows[0]["Patient ID"]) == 64 and rows[0]["Patient ID"] != "12345"
    assert rows[0]["Patient ID hashed"] == "Yes"
    assert rows[0]["Patient name hashed"] == "Yes"
    assert "Date of birth" not in headers  # not stored for any study


# --- web: roles, downloads, streaming ----------------------------------------------------------

def test_exports_need_the_export_role(app, client, login_as):
    assert client.get("/exports/ct.csv").status_code == 302  # anonymous: to the login page
    login_as("view")
    assert client.get("/exports/").status_code == 403
    assert client.get("/exports/ct.csv").status_code == 403
    assert client.get("/exports/ct.xlsx").status_code == 403
    assert client.get("/exports/ct/phe-2019.xlsx").status_code == 403
    login_as("export")  # export without view sees no dose data either
    assert client.get("/exports/ct.csv").status_code == 403
    login_as("view", "export")
    assert client.get("/exports/ct.csv").status_code == 200


def test_patient_identifiers_only_with_the_pid_role(app, client, login_as):
    with app.app_context():
        db.session.add(PatientIDSettings(name_stored=True, name_hashed=False, id_stored=True,
                                         id_hashed=False))
        db.session.commit()
        store(ct_record([ct_event("Head", 30.0, 600.0)],
                        patient={"patient_name": "DOE^JANE", "patient_id": "12345"}))
    login_as("view", "export")
    headers, rows = _csv(_download(client, "/exports/ct.csv").data)
    assert "Patient name" not in headers and "Patient ID" not in headers
    assert "DOE^JANE" not in str(rows)
    assert client.get("/exports/ct.csv?with_pid=1").status_code == 403
    assert client.get("/exports/ct.xlsx?with_pid=1").status_code == 403
    login_as("view", "export", "pid")
    headers, rows = _csv(_download(client, "/exports/ct.csv").data)
    assert "Patient name" not in headers  # only when asked for
    headers, rows = _csv(_download(client, "/exports/ct.csv?with_pid=1").data)
    assert headers[:4] == ["Patient name", "Patient name hashed", "Patient ID",
                           "Patient ID hashed"]
    assert rows[0]["Patient name"] == "DOE^JANE"
    assert rows[0]["Patient ID hashed"] == "No"


def test_csv_download_is_streamed_from_a_generator(app, client, login_as):
    with app.app_context():
        store(ct_record([ct_event("Head", 30.0, 600.0)]))
        assert inspect.isgenerator(csv_chunks(EXPORTS["ct"], export_query("ct", {})))
    login_as("view", "export")
    response = client.get("/exports/ct.csv")
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    chunks = iter(response.response)
    assert next(chunks) == b"\xef\xbb\xbf"  # before any query runs
    disposition = response.headers["Content-Disposition"]
    today = datetime.date.today().strftime("%Y%m%d")
    assert disposition.startswith(f'attachment; filename="kerma-ct-{today}-')
    assert disposition.endswith('.csv"')
    _, rows = _csv(b"\xef\xbb\xbf" + b"".join(chunks))
    assert rows[0]["E1 CTDIvol (mGy)"] == "30.0"


def test_xlsx_download_sends_a_workbook(app, client, login_as, tmp_path):
    with app.app_context():
        store(ct_record([ct_event("Head", 30.0, 600.0)]))
    login_as("view", "export")
    response = _download(client, "/exports/ct.xlsx?date_from=2024-01-01")
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")
    assert "kerma-ct-" in response.headers["Content-Disposition"]
    path = tmp_path / "d.xlsx"
    path.write_bytes(response.data)
    response.close()
    book = openpyxl.load_workbook(path)
    assert _sheet_rows(book["Head"])[0]["CTDIvol (mGy)"] == 30.0
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[2][:2] == ("Filters", "date_from=2024-01-01")


def test_the_xlsx_file_goes_once_sent(app, client, login_as, tmp_path, monkeypatch):
    with app.app_context():
        store(ct_record([ct_event("Head", 30.0, 600.0)]))
    login_as("view", "export")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    response = _download(client, "/exports/ct.xlsx")
    assert response.data.startswith(b"PK")
    assert response.headers["Content-Length"] == str(len(response.data))
    response.close()
    assert list(tmp_path.iterdir()) == []


def test_the_xlsx_file_goes_when_the_client_goes_away(app, client, login_as, tmp_path,
                                                      monkeypatch):
    with app.app_context():
        store(ct_record([ct_event("Head", 30.0, 600.0)]))
    login_as("view", "export")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    response = client.get("/exports/ct.xlsx", buffered=False)
    body = response.iter_encoded()
    next(body)  # the first piece sent, then the connection drops
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("kerma-export-")]
    response.close()  # what the WSGI server calls when the client disconnects
    assert list(tmp_path.iterdir()) == []


def test_a_failed_xlsx_export_leaves_no_file(app, client, login_as, tmp_path, monkeypatch):
    from app.exports import views

    login_as("view", "export")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def failing(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(views, "write_xlsx", failing)
    with pytest.raises(RuntimeError):
        client.get("/exports/ct.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_downloads_take_the_list_page_date_filters(app, client, login_as):
    with app.app_context():
        store(ct_record([ct_event("Head", 10.0, 100.0)], date=datetime.date(2023, 6, 1)))
        store(ct_record([ct_event("Head", 20.0, 200.0)], date=datetime.date(2024, 6, 1)))
        store(ct_record([ct_event("Head", 30.0, 300.0)], date=datetime.date(2025, 6, 1)))
    login_as("view", "export")
    _, rows = _csv(_download(client, "/exports/ct.csv?date_from=2024-01-01&date_until=2024-12-31"
                             ).data)
    assert [row["E1 CTDIvol (mGy)"] for row in rows] == ["20.0"]
    _, rows = _csv(_download(client, "/exports/ct.csv").data)
    assert sorted(row["E1 CTDIvol (mGy)"] for row in rows) == ["10.0", "20.0", "30.0"]


def test_each_download_is_audited(app, client, login_as):
    login_as("view", "export")
    _download(client, "/exports/dx.csv?date_from=2024-01-01").close()
    with app.app_context():
        entry = db.session.query(AuditLog).filter_by(action="export").one()
        assert entry.target == "dx all csv"
        assert "date_from=2024-01-01" in entry.details
        assert "patient identifiers: no" in entry.details


def test_exports_page_lists_every_modality_and_survey(app, client, login_as):
    login_as("view", "export")
    page = client.get("/exports/").get_data(as_text=True)
    for modality in ("ct", "rf", "mg", "dx", "nm"):
        assert f'href="/exports/{modality}.csv"' in page
        assert f'href="/exports/{modality}.xlsx"' in page
    for survey in ("/exports/ct/phe-2019.xlsx", "/exports/dx/phe-2019-projection.xlsx",
                   "/exports/dx/phe-2019-study.xlsx", "/exports/rf/phe-2019.xlsx",
                   "/exports/mg/nhsbsp.csv"):
        assert f'href="{survey}"' in page
    assert "with_pid=1" not in page
    login_as("view", "export", "pid")
    assert "/exports/ct.csv?with_pid=1" in client.get("/exports/").get_data(as_text=True)


def test_unknown_exports_are_not_found(app, client, login_as):
    login_as("view", "export")
    assert client.get("/exports/xx.csv").status_code == 404
    assert client.get("/exports/ct.pdf").status_code == 404
    assert client.get("/exports/ct/nonsense.xlsx").status_code == 404
    assert client.get("/exports/mg/nhsbsp.xlsx").status_code == 404  # a csv survey


# --- batching, streaming and stopping early -----------------------------------------------------

def test_batches_cover_every_study_in_query_order(app, monkeypatch):
    with app.app_context():
        for day in range(1, 8):
            store(ct_record([ct_event("Head", float(day), 10.0 * day)],
                            date=datetime.date(2024, 1, day)))
    monkeypatch.setattr(loading, "BATCH_SIZE", 3)
    headers, rows = _export_csv(app, "ct")
    assert [row["Study date"] for row in rows] == [f"2024-01-0{d}" for d in range(7, 0, -1)]
    with app.app_context():
        batches = list(loading.study_batches(db.session, export_query("ct", {}), EXPORTS["ct"],
                                             batch_size=3))
    assert [len(batch) for batch in batches] == [3, 3, 1]


def test_a_closed_download_stops_loading(app, monkeypatch):
    import threading

    monkeypatch.setattr(loading, "BATCH_SIZE", 1)  # many batches: the loaders are busy
    with app.app_context():
        for day in range(1, 10):
            store(ct_record([ct_event("Head", 1.0, 10.0)], date=datetime.date(2024, 1, day)))
        chunks = csv_chunks(EXPORTS["ct"], export_query("ct", {}))
        assert next(chunks) == b"\xef\xbb\xbf"
        assert next(chunks).startswith(b"Institution,")
        assert b"2024-01-09" in next(chunks)
        assert [t for t in threading.enumerate() if t.name.startswith("export-")]
        chunks.close()  # the client went away
    assert not [t for t in threading.enumerate() if t.name.startswith("export-")]


def test_loader_errors_reach_the_writer(app):
    def broken(session, ids, studies):
        raise RuntimeError("the database went away")

    export = EXPORTS["ct"].__class__(**{**EXPORTS["ct"].__dict__, "load": broken})
    with app.app_context():
        store(ct_record([ct_event("Head", 1.0, 10.0)]))
        with pytest.raises(RuntimeError, match="went away"):
            b"".join(csv_chunks(export, export_query("ct", {})))


# --- command line --------------------------------------------------------------------------------

def test_flask_export_writes_csv_and_xlsx(app, runner, tmp_path):
    with app.app_context():
        store(ct_record([ct_event("Head", 12.34, 100.0)], description="CT Head",
                        date=datetime.date(2024, 2, 1)))
        store(ct_record([ct_event("Chest", 5.0, 200.0)], description="CT Chest",
                        date=datetime.date(2024, 5, 1)))
    target = tmp_path / "ct.csv"
    result = runner.invoke(args=["export", "ct", "--format", "csv", "--date-from", "2024-04-01",
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    _, rows = _csv(target.read_bytes())
    assert [row["Study description"] for row in rows] == ["CT Chest"]
    result = runner.invoke(args=["export", "ct", "--format", "xlsx", "--study-description",
                                 "head", "-o", str(tmp_path / "ct.xlsx")])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "ct.xlsx")
    assert _sheet_rows(book["All data"])[0]["E1 CTDIvol (mGy)"] == 12.34
    assert book.sheetnames == ["Summary", "All data", "Head"]


def test_flask_export_with_pid_and_surveys(app, runner, tmp_path):
    with app.app_context():
        db.session.add(PatientIDSettings(name_stored=True, name_hashed=False))
        db.session.commit()
        store(ct_record([ct_event("Head", 12.34, 100.0)], patient={"patient_name": "ROE^RICHARD"}))
    target = tmp_path / "pid.csv"
    assert runner.invoke(args=["export", "ct", "--with-pid", "-o", str(target)]).exit_code == 0
    assert _csv(target.read_bytes())[1][0]["Patient name"] == "ROE^RICHARD"
    assert runner.invoke(args=["export", "ct", "-o", str(target)]).exit_code == 0
    assert "Patient name" not in _csv(target.read_bytes())[0]
    survey = tmp_path / "phe.xlsx"
    result = runner.invoke(args=["export", "ct", "--survey", "phe-2019", "--format", "xlsx",
                                 "-o", str(survey)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(survey).sheetnames == ["PHE CT 2019"]
    wrong = runner.invoke(args=["export", "ct", "--survey", "nhsbsp", "-o", str(target)])
    assert wrong.exit_code != 0 and "no nhsbsp survey" in wrong.output
    extra = runner.invoke(args=["export", "ct", "--filter", "nonsense", "-o", str(target)])
    assert extra.exit_code != 0 and "NAME=VALUE" in extra.output


@needs_corpus
def test_export_applies_the_list_page_filters(app, client, login_as):
    """An export holds exactly the studies its list page shows for the same query."""
    from app.importing import import_file
    from conformance import CORPUS

    login_as("view", "export")
    with app.app_context():
        for name in ("CT-RDSR-Siemens-Multi-1.dcm", "CT-RDSR-GEPixelMed.dcm"):
            assert import_file(CORPUS / "dicom" / name).status == "imported"
    everything = client.get("/exports/ct.csv").get_data(as_text=True).splitlines()
    filtered = client.get("/exports/ct.csv?manufacturer=siemens").get_data(as_text=True).splitlines()
    assert len(everything) == 3 and len(filtered) == 2
    assert "SIEMENS" in filtered[1] and "GE MEDICAL" not in filtered[1]
