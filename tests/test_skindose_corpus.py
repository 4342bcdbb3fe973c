"""Skin dose maps of the corpus fluoroscopy RDSRs: computed, and plausible against the dose
at the reference point (docs/skin-dose.md)."""
import pytest

from app.extensions import db
from app.importing import import_file
from app.models.skindose import COMPUTED
from app.skindose.maps import compute_study, decode
from conformance import CORPUS

RF = ["RF-RDSR-Siemens-Zee.dcm", "RF-RDSR-Philips_Allura.dcm", "RF-RDSR-Philips_Azurion.dcm",
      "RF-RDSR-GE.dcm", "Dual-RDSR-RF.dcm"]
FILES = [name for name in RF if (CORPUS / "dicom" / name).exists()]

pytestmark = pytest.mark.skipif(not FILES, reason=f"corpus not found at {CORPUS}")


@pytest.mark.parametrize("name", FILES)
def test_a_corpus_rdsr_gets_a_plausible_map(app, name):
    with app.app_context():
        outcome = import_file(CORPUS / "dicom" / name)
        row = compute_study(outcome.study_id)
        db.session.commit()
        print(name, row.status, row.peak_skin_dose, row.dose_rp_used, row.events_used,
              row.events_skipped, row.message)
        if row.status != COMPUTED:
            assert row.message and "missing" in row.message
            return
        grid = decode(row.grid)
        assert grid.shape == (row.grid_rows, row.grid_columns)
        assert grid.max() == pytest.approx(row.peak_skin_dose, rel=1e-6)
        # The peak cannot exceed every event landing on one spot at the closest skin and the
        # largest factors (about 2.5 x the summed dose at RP); and a map of used events has
        # some dose somewhere.
        assert 0 < row.peak_skin_dose <= 2.5 * row.dose_rp_used


def test_the_cli_computes_one_study_or_all(app, runner):
    from sqlalchemy import select

    from app.models.skindose import SkinDoseMap
    with app.app_context():
        study_id = import_file(CORPUS / "dicom" / FILES[0]).study_id
    result = runner.invoke(args=["skindose", "compute", str(study_id)])
    assert result.exit_code == 0 and "peak skin dose 0.0018 Gy (8 events used" in result.output
    result = runner.invoke(args=["skindose", "compute", "--all"])
    assert result.output.strip() == "1 RF studies read, 1 maps computed."
    assert runner.invoke(args=["skindose", "compute"]).exit_code != 0
    with app.app_context():
        assert len(db.session.scalars(select(SkinDoseMap)).all()) == 1


def test_the_task_after_import_stores_the_map(app):
    from app.skindose.background import run_skin_dose
    with app.app_context():
        study_id = import_file(CORPUS / "dicom" / FILES[0]).study_id
        status, message = run_skin_dose(study_id)
        assert status == "done" and "peak skin dose 0.002 Gy from 8 events" in message


def test_the_study_page_shows_the_peak_and_the_json_has_the_map(app, client, login_as):
    with app.app_context():
        study_id = import_file(CORPUS / "dicom" / FILES[0]).study_id
        compute_study(study_id)
        db.session.commit()
    login_as("view")
    page = client.get(f"/rf/{study_id}").get_data(as_text=True)
    assert 'id="peak-skin-dose">0.002 Gy' in page
    assert f'data-url="/skindose/{study_id}.json"' in page
    found = client.get(f"/skindose/{study_id}.json").get_json()
    assert found["status"] == "computed" and found["events_used"] == 8
    assert len(found["dose_mgy"]) == found["rows"] and len(found["x_mm"]) == found["columns"]
    assert max(max(r) for r in found["dose_mgy"]) == pytest.approx(1.760, abs=1e-3)
    assert client.get("/skindose/999999.json").status_code == 404


def test_the_rf_list_and_export_show_the_peak_skin_dose(app, client, login_as):
    import csv
    import io

    from app.exports import EXPORTS, csv_chunks
    from app.exports.query import export_query
    with app.app_context():
        study_id = import_file(CORPUS / "dicom" / FILES[0]).study_id
        compute_study(study_id)
        db.session.commit()
    login_as("view", "export")
    page = client.get("/rf/").get_data(as_text=True)
    assert "Peak skin dose (Gy)" in page and "0.00176" in page
    with app.app_context():
        data = b"".join(csv_chunks(EXPORTS["rf"], export_query("rf", {})))
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))
    assert float(rows[0]["Peak skin dose (Gy)"]) == pytest.approx(0.0017598, rel=1e-4)


def test_a_peak_skin_dose_rule_fires_when_the_map_is_stored(app):
    from sqlalchemy import select

    from app.alerts.kinds import KINDS
    from app.models.alerts import Alert, AlertRule
    from app.skindose.background import run_skin_dose
    with app.app_context():
        db.session.add(AlertRule(name="PSD 1 mGy", modality="rf", kind="peak_skin_dose",
                                 threshold=0.001, enabled=True, source="test"))
        db.session.commit()
        study_id = import_file(CORPUS / "dicom" / FILES[0]).study_id
        run_skin_dose(study_id)
        alerts = db.session.scalars(select(Alert)).all()
        assert [a.general_study_module_attr_id for a in alerts] == [study_id]
        assert alerts[0].value == pytest.approx(0.0017598, rel=1e-4)
        assert KINDS["peak_skin_dose"].unit == "Gy"


def test_an_rf_import_queues_its_map_and_others_do_not(app, monkeypatch):
    from app.importing.outcome import Outcome
    from app.skindose import background

    queued = []

    class Queue:
        def enqueue(self, name, *args, **kwargs):
            queued.append((name, args))
            return "task-1"

    monkeypatch.setattr(background, "get_queue", lambda app=None: Queue())
    with app.app_context():
        rf = Outcome(source="a.dcm", status="imported", study_id=7, modality_type="RF")
        ct = Outcome(source="b.dcm", status="imported", study_id=8, modality_type="CT")
        assert background.queue_after_import(rf) == "task-1"
        assert background.queue_after_import(ct) is None
    assert queued == [("skin_dose_map", (7,))]


def test_flask_import_computes_the_maps_of_the_fluoroscopy_studies_it_imports(app, runner):
    from sqlalchemy import select

    from app.models.skindose import SkinDoseMap
    result = runner.invoke(args=["import", "rdsr", str(CORPUS / "dicom" / FILES[0])])
    assert result.exit_code == 0, result.output
    assert "1 skin dose map computed" in result.output
    with app.app_context():
        (row,) = db.session.scalars(select(SkinDoseMap)).all()
        assert row.status == COMPUTED and row.peak_skin_dose == pytest.approx(0.00176, abs=1e-5)
