"""DRL sets, standard names and the comparison of stored doses with them."""
import csv
import datetime
import io
import statistics

import pydicom
import pytest
from sqlalchemy import select

from app.drl.comparison import compare
from app.drl.naming import assign, names_seen
from app.drl.sets import NATIONAL, DrlFileError, load_national, load_set, parse_csv
from app.extensions import db
from app.importing import import_dataset, import_file
from app.models import (
    CtIrradiationEventData,
    CtRadiationDose,
    GeneralEquipmentModuleAttr,
    GeneralStudyModuleAttr,
    UniqueEquipmentNames,
)
from app.models.auth import AuditLog
from app.models.codes import ContextID
from app.models.drl import DrlSet, DrlValue, StandardName
from background import ct_report
from conformance import CORPUS

DICOM = CORPUS / "dicom"
LOCAL = """modality,examination,quantity,value,unit,patient_group,year,note
CT,Head,dlp,790,mGy.cm,adult,2022,local
CT,Head,ctdivol,47,mGy,adult,2022,
DX,Chest PA,dap,0.1,Gy.cm2,adult,2019,
"""


def _ct(app, dlp, description, station, date="20240315"):
    with app.app_context():
        outcome = import_dataset(ct_report(dlp=dlp, StudyDescription=description,
                                           StationName=station, StudyDate=date), "test")
        assert outcome.status == "imported", outcome.line()


def _systems(app):
    """Display name per station name, as Kerma gave them."""
    with app.app_context():
        return dict(db.session.execute(
            select(UniqueEquipmentNames.station_name, UniqueEquipmentNames.display_name)).all())


@pytest.fixture
def head_studies(app):
    """Hand-checked: ROOM1 has 100, 200, 300 and 1000 mGy.cm (median 250), ROOM2 500, 900 and
    950 (median 900); two other descriptions; one ROOM1 head study outside the period."""
    for dlp in (100, 200, 300, 1000):
        _ct(app, dlp, "HEAD ROUTINE" if dlp != 300 else "Brain w/o", "ROOM1")
    for dlp in (500, 900, 950):
        _ct(app, dlp, "HEAD ROUTINE", "ROOM2")
    _ct(app, 5000, "HEAD ROUTINE", "ROOM1", date="20230101")
    _ct(app, 77, "CHEST", "ROOM1")
    with app.app_context():
        load_set(LOCAL, "Local 2024", "Our own survey")
        assert assign("CT", [("study_description", "HEAD ROUTINE"),
                             ("study_description", "Brain w/o")], "Head") == 2


def _by_system(rows, quantity="dlp"):
    return {row.system: row for row in rows if row.drl.quantity == quantity}


def test_the_median_per_system_is_compared_with_the_drl(app, head_studies):
    import datetime
    systems = _systems(app)
    with app.app_context():
        drl_set = db.session.scalars(select(DrlSet)).one()
        rows = _by_system(compare(drl_set, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)))
        everything = _by_system(compare(drl_set))
    room1, room2 = rows[systems["ROOM1"]], rows[systems["ROOM2"]]
    assert (room1.count, room1.median, room1.drl.value) == (4, 250.0, 790.0)
    assert room1.ratio == pytest.approx(250 / 790) and not room1.above
    assert (room2.count, room2.median) == (3, 900.0)
    assert room2.ratio == pytest.approx(900 / 790) and room2.above
    # Without a period the 2023 study counts: 100, 200, 300, 1000, 5000.
    assert (everything[systems["ROOM1"]].count, everything[systems["ROOM1"]].median) == (5, 300.0)


def test_a_mapping_change_applies_to_stored_studies_without_reimport(app, head_studies):
    systems = _systems(app)
    with app.app_context():
        drl_set = db.session.scalars(select(DrlSet)).one()
        assign("CT", [("study_description", "Brain w/o")], None)
        room1 = _by_system(compare(drl_set))[systems["ROOM1"]]
        assert (room1.count, room1.median) == (4, 600.0)  # 100, 200, 1000, 5000
        assign("CT", [("study_description", "CHEST")], "Head")
        room1 = _by_system(compare(drl_set))[systems["ROOM1"]]
        assert (room1.count, room1.median) == (5, 200.0)  # 77 joins them
        changes = db.session.scalars(select(AuditLog.details).where(
            AuditLog.action == "standard_name.assign")).all()
    assert "study_description 'Brain w/o': 'Head' -> None" in changes[1]


def test_a_study_with_several_mapped_names_counts_once(app, head_studies):
    with app.app_context():
        study = db.session.scalars(select(GeneralStudyModuleAttr).where(
            GeneralStudyModuleAttr.total_dlp == 100)).one()
        study.requested_procedure_code_meaning = "CT HEAD"
        db.session.commit()
        assign("CT", [("requested_procedure", "CT HEAD")], "Head")
        drl_set = db.session.scalars(select(DrlSet)).one()
        counts = sorted(row.count for row in compare(drl_set) if row.drl.quantity == "dlp")
    assert counts == [3, 5]


def test_names_seen_count_studies_and_show_their_standard_name(app, head_studies):
    with app.app_context():
        seen = {(n["field"], n["name"]): (n["studies"], n["standard_name"])
                for n in names_seen("CT")}
    assert seen[("study_description", "HEAD ROUTINE")] == (7, "Head")
    assert seen[("study_description", "CHEST")] == (1, None)


def test_ctdivol_medians_leave_localizers_out_and_equal_an_independent_median(app):
    name = "CT-RDSR-Siemens-Multi-3.dcm"
    if not (DICOM / name).is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    with app.app_context():
        assert import_file(DICOM / name).status == "imported"
        description = db.session.scalar(select(GeneralStudyModuleAttr.study_description))
        rows = db.session.execute(
            select(CtIrradiationEventData.mean_ctdivol, ContextID.code_value)
            .outerjoin(ContextID, ContextID.id == CtIrradiationEventData.ct_acquisition_type_id)
        ).all()
        sequences = [value for value, kind in rows if value is not None and kind != "113805"]
        assert len(sequences) < len([v for v, _ in rows if v is not None])  # it has localizers
        load_set(LOCAL, "Local 2024")
        assign("CT", [("study_description", description)], "Head")
        result = [r for r in compare(db.session.scalars(select(DrlSet)).one())
                  if r.drl.quantity == "ctdivol"]
    assert len(result) == 1
    assert result[0].count == len(sequences)
    assert result[0].median == pytest.approx(statistics.median(sequences))
    assert result[0].ratio == pytest.approx(statistics.median(sequences) / 47)


def test_acquisition_protocols_map_events(app):
    name = "CT-RDSR-Siemens-Multi-3.dcm"
    if not (DICOM / name).is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    with app.app_context():
        import_file(DICOM / name)
        protocols = db.session.execute(
            select(CtIrradiationEventData.acquisition_protocol, CtIrradiationEventData.mean_ctdivol,
                   ContextID.code_value)
            .outerjoin(ContextID, ContextID.id == CtIrradiationEventData.ct_acquisition_type_id)
        ).all()
        protocol = next(p for p, value, kind in protocols if p and value and kind != "113805")
        expected = [value for p, value, kind in protocols
                    if p == protocol and value is not None and kind != "113805"]
        load_set(LOCAL, "Local 2024")
        assign("CT", [("acquisition_protocol", protocol)], "Head")
        rows = [r for r in compare(db.session.scalars(select(DrlSet)).one())]
    # A protocol maps events: no study-level DLP is matched through it.
    assert [(r.drl.quantity, r.count) for r in rows] == [("ctdivol", len(expected))]
    assert rows[0].median == pytest.approx(statistics.median(expected))


def test_dap_drls_in_other_units_are_compared_in_their_unit(app):
    name = "DX-RDSR-Canon_CXDI.dcm"
    if not (DICOM / name).is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    with app.app_context():
        import_file(DICOM / name)
        study = db.session.scalars(select(GeneralStudyModuleAttr)).one()
        dap = study.total_dap  # Gy.m2
        load_set(LOCAL, "Local 2024")
        assign("DX", [("study_description", study.study_description)], "Chest PA")
        (row,) = compare(db.session.scalars(select(DrlSet)).one())
    assert row.median == pytest.approx(dap)
    assert row.median_in_drl_unit == pytest.approx(dap * 1e4)  # Gy.cm2
    assert row.ratio == pytest.approx(dap * 1e4 / 0.1)


# Loading sets -----------------------------------------------------------------------------------
def test_every_row_of_a_bad_file_is_reported_and_nothing_is_stored(app):
    bad = ("modality;examination;quantity;value;unit\n"
           "CT;Head;dlp;790;mGy.cm\n"
           "XX;Head;dlp;1;mGy.cm\n"
           "CT;Head;dap;1;Gy.cm2\n"
           "CT;Chest;dlp;-3;mGy.cm\n"
           "CT;Chest;ctdivol;8,5;furlong\n"
           "CT;Head;dlp;800;mGy.cm\n")
    with app.app_context():
        with pytest.raises(DrlFileError) as error:
            load_set(bad, "Bad")
        db.session.rollback()
        assert db.session.scalars(select(DrlSet)).all() == []
    assert error.value.problems == [
        "line 3: modality 'XX' is not one of CT, RF, MG, DX, NM",
        "line 4: dap is not a CT quantity",
        "line 5: the value '-3' is not a positive number",
        "line 6: the unit 'furlong' is not a unit of CTDIvol per sequence (stored in mGy)",
        "line 7: the same examination, quantity and patient group appear twice",
    ]


def test_a_header_without_the_columns_says_which_exist():
    assert parse_csv("exam,dose\nHead,1\n").problems == [
        "the header has no column modality, examination, quantity, value, unit "
        "(columns: exam, dose)"]


def test_the_uk_national_set_loads_with_its_source(app, runner):
    name = "UK NDRL 2024 adult CT"
    result = runner.invoke(args=["drl", "load-national", name])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{name}: 21 DRLs loaded"
    with app.app_context():
        drl_set = db.session.scalars(select(DrlSet)).one()
        values = {(v.examination, v.quantity): (v.value, v.unit) for v in drl_set.values}
        assert "UK Health Security Agency" in drl_set.source
    assert values[("Head (acute stroke)", "dlp")] == (790.0, "mGy.cm")
    assert values[("Head (acute stroke)", "ctdivol")] == (47.0, "mGy")
    assert values[("Chest (lung cancer)", "ctdivol")] == (8.5, "mGy")
    again = runner.invoke(args=["drl", "load-national", name])
    assert again.exit_code == 1 and "exists already" in again.stderr
    assert runner.invoke(args=["drl", "load-national", name, "--replace"]).exit_code == 0


def test_shipped_files_parse_cleanly():
    for path, _ in NATIONAL.values():
        parsed = parse_csv(path.read_text(encoding="utf-8"))
        assert parsed.problems == [] and parsed.values


def test_cli_map_and_compare(app, runner, head_studies, tmp_path):
    result = runner.invoke(args=["drl", "map", "ct", "study_description", "Head", "CHEST"])
    assert result.output.strip() == "1 names changed"
    lines = runner.invoke(args=["drl", "compare", "Local 2024", "--date-from", "2024-01-01"]
                          ).output.splitlines()
    import json
    medians = sorted(json.loads(line)["median"] for line in lines
                     if json.loads(line)["quantity"] == "dlp")
    assert medians == [200.0, 900.0]


# Pages ------------------------------------------------------------------------------------------
def test_comparison_page_and_csv(app, client, login_as, head_studies):
    systems = _systems(app)
    login_as("view", "export")
    page = client.get("/drl/?date_from=2024-01-01")
    assert page.status_code == 200
    assert page.text.count('class="table-danger above-drl"') == 1
    download = client.get("/drl/comparison.csv?date_from=2024-01-01")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.data.decode("utf-8-sig"))))
    by_system = {row["System"]: row for row in rows if row["Quantity"] == "dlp"}
    assert by_system[systems["ROOM2"]]["Median"] == "900"
    assert by_system[systems["ROOM2"]]["Above DRL"] == "yes"
    assert by_system[systems["ROOM1"]]["Median / DRL"] == f"{250 / 790:.6g}"


def test_the_page_opens_on_the_last_twelve_months(app, client, login_as, head_studies):
    login_as("view", "export")
    year_ago = (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
    opened = client.get("/drl/")
    assert f'name="date_from" value="{year_ago}"' in opened.text
    # The fixture's studies are from 2024: outside the default period, inside "no limit".
    assert 'class="table-danger above-drl"' not in opened.text
    everything = client.get("/drl/?date_from=&date_to=")
    assert everything.text.count('class="table-danger above-drl"') == 1
    default_csv = client.get("/drl/comparison.csv")
    assert len(default_csv.data.decode("utf-8-sig").splitlines()) == 1  # the header only
    assert len(client.get("/drl/comparison.csv?date_from=").data.decode(
        "utf-8-sig").splitlines()) > 1


def test_csv_needs_the_export_role(client, login_as, head_studies):
    login_as("view")
    assert client.get("/drl/comparison.csv").status_code == 403


def test_admin_pages_upload_edit_map_and_delete(app, client, login_as, head_studies):
    login_as("view", "admin")
    upload = client.post("/drl/sets", data={
        "name": "Regional", "source": "Region 2025",
        "file": (io.BytesIO(b"modality,examination,quantity,value,unit\nCT,Head,dlp,600,mGy.cm\n"),
                 "regional.csv")}, content_type="multipart/form-data")
    assert upload.status_code == 302
    with app.app_context():
        value = db.session.scalars(select(DrlValue).join(DrlSet).where(
            DrlSet.name == "Regional")).one()
    assert client.post(f"/drl/values/{value.id}", data={"value": "650"}).status_code == 302
    assert client.post("/drl/names", data={"modality": "CT", "name": "study_description:CHEST",
                                           "standard_name": "Chest"}).status_code == 302
    with app.app_context():
        assert db.session.get(DrlValue, value.id).value == 650.0
        assert db.session.scalars(select(StandardName.standard_name).where(
            StandardName.name == "CHEST")).one() == "Chest"
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-3:] == ["drl.load", "drl.edit", "standard_name.assign"]
    bad = client.post("/drl/sets", data={
        "name": "Broken", "file": (io.BytesIO(b"modality,examination\nCT,Head\n"), "b.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 400 and "the header has no column quantity, value, unit" in bad.text
    names = client.get("/drl/names?modality=CT")
    assert "HEAD ROUTINE" in names.text and "Chest" in names.text
    assert client.post(f"/drl/sets/{value.drl_set_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(DrlSet.name)).all() == ["Local 2024"]


def test_admin_pages_need_admin(client, login_as):
    login_as("view", "export")
    assert client.get("/drl/sets").status_code == 403
    assert client.get("/drl/names").status_code == 403
    assert client.post("/drl/names", data={}).status_code == 403


def test_hostile_names_are_escaped(app, client, login_as):
    _ct(app, 10, "<script>alert(1)</script>", "ROOM1")
    login_as("view", "admin")
    page = client.get("/drl/names?modality=CT")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
