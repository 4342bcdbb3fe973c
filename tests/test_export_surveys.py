"""National survey exports: PHE 2019 CT, radiography (projection, study), IR/fluoroscopy and the
NHSBSP mammography audit, cell by cell where the forms fix the column."""
import csv
import io

import openpyxl
import pytest

from app.exports.query import export_query
from app.exports.surveys import SURVEYS, view_code
from app.extensions import db
from app.importing import import_file
from conformance import CORPUS
from export_records import (
    CRANIO_CAUDAL, LEFT, LOCALIZER, MLO, RIGHT, STATIONARY, Code, ct_event, ct_record,
    dx_record, mg_event, mg_record, rf_event, rf_record, store,
)

DICOM = CORPUS / "dicom"
needs_corpus = pytest.mark.skipif(not DICOM.is_dir(), reason=f"corpus not found at {CORPUS}")
RF_TOTALS = {"dose_area_product_total": 1.9e-4, "dose_rp_total": 0.016,
             "fluoro_dose_area_product_total": 9e-5, "fluoro_dose_rp_total": 0.006,
             "total_fluoro_time": 12.0, "acquisition_dose_area_product_total": 1e-4,
             "acquisition_dose_rp_total": 0.01, "total_acquisition_time": 4.0}


def _import(app, *names):
    with app.app_context():
        for name in names:
            assert import_file(DICOM / name).status == "imported"
            db.session.commit()


def _survey(app, modality, key, tmp_path):
    survey = SURVEYS[(modality, key)]
    path = tmp_path / f"{modality}-{key}.xlsx"
    with app.app_context():
        survey.xlsx(export_query(modality, {}), path)
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) == 1
    return book.worksheets[0]


@needs_corpus
def test_phe_ct_leaves_out_localisers_and_fills_the_form_columns(app, tmp_path):
    _import(app, "CT-RDSR-Siemens-Multi-3.dcm")
    sheet = _survey(app, "ct", "phe-2019", tmp_path)
    assert sheet.title == "PHE CT 2019"
    assert [sheet.cell(1, col).value for col in range(1, 13)] == [
        "Patient No", "Age (yrs)", "Weight (kg)", "Height (cm)", "Imaged length",
        "Start position", "End position", "kV", "CTDI phantom", "Scan FOV (mm)",
        "CTDIvol (mGy)*", "DLP (mGy.cm)*"]
    assert sheet["AK1"].value == "Total DLP* (whole scan) mGy.cm"
    assert sheet["AL1"].value == "Patient comments"
    assert sheet["A2"].value == 1
    assert sheet["B2"].value == 60.0
    # Series 1 is the first spiral (the topogram is left out), series 2 the second.
    assert [sheet[f"{col}2"].value for col in "EHIKL"] == [92.0, "120", "32 cm", 8.13, 69.81]
    assert [sheet[f"{col}2"].value for col in ("M", "S", "T")] == [238.0, 7.02, 158.82]
    assert sheet["U2"].value is None  # no third series
    assert sheet["AK2"].value == 236.09
    assert sheet["AL2"].value == "Series types: Spiral Acquisition, Spiral Acquisition"


def test_phe_ct_dual_source_kv_and_series_beyond_four(app, tmp_path):
    events = [ct_event("Scout", 0.1, 1.0, kind=LOCALIZER)]
    events += [ct_event(f"Phase {n}", float(n), 100.0 * n) for n in range(1, 6)]
    dual = events[1]["ctxraysourceparameters_set"]
    dual.append({**dual[0], "identification_of_the_xray_source": "B", "kvp": 140.0})
    dual[0]["kvp"] = 100.0
    with app.app_context():
        store(ct_record(events))
    sheet = _survey(app, "ct", "phe-2019", tmp_path)
    assert sheet["H2"].value == "100 | 140"
    assert sheet["AC2"].value == 250.0  # series 4 imaged length
    assert sheet["AI2"].value == 4.0  # series 4 CTDIvol
    assert sheet["AM2"].value is None and sheet["AN2"].value is None
    assert sheet["AO2"].value == 250.0  # series 5 imaged length, after two empty columns
    assert sheet["AU2"].value == 5.0  # series 5 CTDIvol
    assert sheet["AV2"].value == 500.0
    assert sheet["AK2"].value == 1501.0


@needs_corpus
def test_phe_dx_projection_row(app, tmp_path):
    _import(app, "DX-Im-Carestream_DRX.dcm")
    sheet = _survey(app, "dx", "phe-2019-projection", tmp_path)
    assert sheet.title == "PHE DX 2019 Single Projection"
    assert [sheet.cell(1, col).value for col in range(2, 9)] == [
        "PHE Record No", "Contributor's record ID", "Exam date", "Projection DAP dose",
        "DAP dose units", "Protocol name", "Patient weight"]
    assert sheet["C2"].value == 1  # the study's id
    assert sheet["D2"].value.date().isoformat() == "2017-05-22"
    assert sheet["E2"].value == 6.33
    assert sheet["F2"].value == "cGy·cm²"
    assert sheet["G2"].value == "XR CHEST | XR CHEST | XR CHEST | AP"
    assert sheet["S1"].value == "kVp" and sheet["S2"].value == 100.0
    assert sheet["T1"].value == "mAs" and sheet["T2"].value == 1.0
    assert sheet["W2"].value == "EI: 256.88; View: antero-posterior"
    assert sheet["AF1"].value == "comments"


@needs_corpus
def test_phe_dx_study_lists_each_projection(app, tmp_path):
    _import(app, "DX-Im-GE_XR220-1.dcm", "DX-Im-GE_XR220-2.dcm", "DX-Im-GE_XR220-3.dcm")
    sheet = _survey(app, "dx", "phe-2019-study", tmp_path)
    headers = [cell.value for cell in sheet[1]]
    assert headers[13] == "number of projections"
    assert headers[14:20] == [f"Projection {k} DAP" for k in range(1, 7)]
    assert headers[20] == "Projection 1 Name"
    row = [cell.value for cell in sheet[2]]
    assert row[4] == 32.8  # study DAP, cGy·cm²
    assert row[13] == 3
    assert row[14:17] == [4.1, 8.2, 20.5]
    assert row[17] is None
    assert row[20] == "ABD_1_VIEW"
    assert row[26] == 69.639999  # projection 1 kVp


def test_phe_dx_study_turns_bespoke_beyond_six_projections(app, tmp_path):
    events = [rf_event(f"View {n}", n * 1e-6, None, kind=STATIONARY) for n in range(1, 8)]
    with app.app_context():
        store(dx_record(events, procedure="XR Spine"))
    sheet = _survey(app, "dx", "phe-2019-study", tmp_path)
    headers = [cell.value for cell in sheet[1]]
    assert headers[14:34] == [f"Projection {k} DAP" for k in range(1, 21)]
    row = [cell.value for cell in sheet[2]]
    assert row[13] == 7
    assert row[14:22] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, None]
    assert row[6] == "XR Spine |  | XR Chest | View 1, View 2, View 3, View 4, View 5, View 6, View 7"


def test_phe_fluoroscopy_form_layout(app, tmp_path):
    with app.app_context():
        store(rf_record([
            rf_event("Cardiac", 2e-5, 0.001),
            rf_event("Cardiac", 3e-5, 0.002, pulse_rate=15.0),
            rf_event("DSA", 1e-4, 0.01, kind=STATIONARY, pulse_rate=2.0, copper=0.1),
        ], RF_TOTALS))
    sheet = _survey(app, "rf", "phe-2019", tmp_path)
    assert sheet.title == "PHE IR-Fluoro"
    assert [sheet[ref].value for ref in ("F4", "H4", "I4")] == ["Gy·m²", "seconds", "Gy"]
    assert all(sheet.cell(row, 2).value is None for row in (1, 2, 3, 5, 6))
    assert [sheet[f"{col}7"].value for col in "BC"] == [1, 1]
    assert sheet["D7"].value.date().isoformat() == "2024-03-04"
    assert [sheet[f"{col}7"].value for col in "EFGHIJK"] == [
        0.00019, 0.00009, 0.0001, 12.0, 0.016, 0.006, 0.01]
    assert sheet["L7"].value == " |  | Coronary angiogram"
    assert [sheet[f"{col}7"].value for col in "MOPQ"] == [71.5, 54.2, "F", 168.0]
    assert sheet["R7"].value == "Cardiac"
    assert sheet["T7"].value == "Multiple rates"
    assert sheet["U7"].value == "2"
    assert sheet["V7"].value == 1
    assert sheet["AC7"].value == "220 mm"
    assert sheet["AE7"].value == "0.1–0.6 mm"
    assert sheet["AQ7"].value == ("Fluoroscopy pulse rates: 7.5, 15 /s; "
                                  "Acquisition frame rates: 2 /s")
    assert sheet.max_column == 43


def test_nhsbsp_view_codes_repeats_and_left_out_exposures(app, client, login_as):
    with app.app_context():
        store(mg_record([
            mg_event(CRANIO_CAUDAL, RIGHT, 1.2, kvps=(29.0,), currents=(100.0,),
                     exposures=(80000.0,)),
            mg_event(CRANIO_CAUDAL, RIGHT, 1.3, kvps=(30.0,), currents=(100.0,),
                     exposures=(90000.0,)),
            mg_event(MLO, LEFT, 1.4, kvps=(31.0,), currents=(100.0,), exposures=(70000.0,)),
            mg_event(MLO, LEFT, 0.2, kvps=(25.0,), currents=(50.0,), exposures=(1000.0,),
                     protocol="Specimen"),
            mg_event(Code("R-102D0", "superolateral to inferomedial oblique", "SRT"), LEFT,
                     1.0, kvps=(30.0,), currents=(90.0,), exposures=(5000.0,)),
        ]))
        store(mg_record([mg_event(CRANIO_CAUDAL, LEFT, 1.5, kvps=(28.0,), currents=(90.0,),
                                  exposures=(60000.0,))]))
    login_as("view", "export")
    response = client.get("/exports/mg/nhsbsp.csv")
    assert response.status_code == 200 and response.is_streamed
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert rows[0] == ["Survey number", "Patient number", "View code", "kV", "Anode", "Filter",
                       "Thickness", "mAs", "large cassette used", "auto/man", "Auto mode",
                       "Density setting", "Age", "Comment", "AEC density mode"]
    patients = {}
    for row in rows[1:]:
        patients.setdefault(row[1], []).append(row[2])
    assert sorted(patients) == ["1", "2"]
    assert sorted(patients.values()) == [["LCC"], ["RCC", "RCC2", "LOB", "LSIO"]]
    body = {row[2]: row for row in rows[1:]}
    first = body["RCC"]
    assert first[0] == "1"
    assert first[2:9] == ["RCC", "29.0", "W", "Ag", "52.0", "80.0", ""]
    assert first[9:11] == ["AUTO", "AUTOMATIC"]
    assert first[12] == "54"
    assert body["RCC2"][7] == "90.0"


def test_view_codes():
    assert view_code("Right", "cranio-caudal") == "RCC"
    assert view_code("Left", "medio-lateral oblique") == "LOB"
    assert view_code("Left", "latero-medial oblique") == "LLMO"
    assert view_code("Right", "cranio-caudal exaggerated laterally") == "RXCCL"
    assert view_code(None, "cranio-caudal") is None
    assert view_code("Right", "tissue specimen from breast") is None


def test_survey_downloads_need_the_export_role(app, client, login_as):
    login_as("view")
    for url in ("/exports/ct/phe-2019.xlsx", "/exports/mg/nhsbsp.csv"):
        assert client.get(url).status_code == 403
    login_as("view", "export")
    response = client.get("/exports/ct/phe-2019.xlsx")
    assert response.status_code == 200
    assert "kerma-ct-phe-2019-" in response.headers["Content-Disposition"]
