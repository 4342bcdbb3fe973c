"""Alert rules: each kind fires on a corpus study at or above its threshold and stays quiet
below; cumulative rules sum a patient's studies across imports; rules re-applied to stored
studies; acknowledgement; the pages and the command line."""
import datetime
import logging

import pytest
from sqlalchemy import func, select

from app.alerts import evaluation
from app.alerts.background import reevaluate_rule
from app.alerts.kinds import KINDS
from app.alerts.rules import DEFAULT_RULES, add_defaults, forget
from app.extensions import db
from app.importing import import_file, lookups, persist
from app.importing.identity import hash_identifier
from app.models.alerts import Alert, AlertRule
from app.models.auth import AuditLog
from app.models.settings import PatientIDSettings
from app.models.study import GeneralStudyModuleAttr as Study
from background import queue_config
from conformance import CORPUS
from study_records import study_record

DICOM = CORPUS / "dicom"
needs_corpus = pytest.mark.skipif(not DICOM.is_dir(), reason=f"corpus not found at {CORPUS}")


@pytest.fixture
def app_config(tmp_path):
    return queue_config(tmp_path)


def add_rule(app, modality, kind, threshold=None, weeks=None, system=None, name=None):
    """Store a rule with ``threshold`` in the unit people read; its id."""
    with app.app_context():
        rule = AlertRule(name=name or f"{modality} {kind}", modality=modality, kind=kind,
                         threshold=KINDS[kind].stored(threshold), weeks=weeks,
                         unique_equipment_name_id=system)
        db.session.add(rule)
        db.session.commit()
        return rule.id


def alerts(app):
    """(rule id, study id, value in the unit people read, threshold likewise, detail)."""
    with app.app_context():
        rows = db.session.scalars(select(Alert).order_by(Alert.id)).all()
        return [(a.alert_rule_id, a.general_study_module_attr_id,
                 KINDS[a.rule.kind].shown(a.value), KINDS[a.rule.kind].shown(a.threshold),
                 a.detail) for a in rows]


def import_corpus(app, *names):
    with app.app_context():
        ids = []
        for name in names:
            outcome = import_file(DICOM / name)
            assert outcome.status == "imported", outcome.line()
            ids.append(outcome.study_id)
        return ids


#: (modality, kind, corpus file, its value in the kind's unit, detail).
CASES = [
    ("ct", "ct_dlp", "CT-RDSR-Toshiba_DoseCheck.dcm", 502.4, None),
    ("ct", "ct_ctdivol", "CT-RDSR-Toshiba_DoseCheck.dcm", 5.3,
     "event 'Abdomen Routine ZC (NR)'"),
    ("rf", "dap", "RF-Pat-Orientation-Modifier-Missing.dcm", 46881.0, None),
    ("rf", "rp_dose", "RF-Pat-Orientation-Modifier-Missing.dcm", 7.68897, None),
    ("dx", "dap", "DX-RDSR-Canon_CXDI.dcm", 10.7, None),
    ("mg", "mg_agd", "MG-RDSR-GEPristina-2D.dcm", 1.22, "view 'ROUTINE'"),
    ("nm", "nm_activity", "NM-NmIm-Siemens.dcm", 764.0, None),
]


@needs_corpus
@pytest.mark.parametrize("modality, kind, name, value, detail", CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_kind_fires_at_its_threshold_and_not_below(app, modality, kind, name, value, detail):
    at = add_rule(app, modality, kind, threshold=value * 0.999, name="fires")
    above = add_rule(app, modality, kind, threshold=value * 1.01, name="quiet")
    (study_id,) = import_corpus(app, name)
    (found,) = alerts(app)
    assert found[:2] == (at, study_id)
    assert found[2] == pytest.approx(value, rel=1e-4)
    assert found[3] == pytest.approx(value * 0.999)
    assert found[4] == detail
    assert above != at


@needs_corpus
def test_the_scanners_dose_check_alert_is_raised_and_a_study_without_one_is_quiet(app):
    rule = add_rule(app, "ct", "ct_dose_check")
    checked, unchecked = import_corpus(app, "CT-RDSR-Toshiba_DoseCheck.dcm",
                                       "CT-RDSR-GEPixelMed.dcm")
    (found,) = alerts(app)
    assert found[:2] == (rule, checked)
    assert found[2] == pytest.approx(502.4 / 100)  # forward estimate over the configured value
    assert found[4] == ("DLP alert: forward estimate 502.4 over configured 100 "
                        "(Abdomen Routine ZC (NR))")
    assert unchecked != checked


@needs_corpus
def test_a_rule_for_another_system_or_modality_stays_quiet(app):
    (other,) = import_corpus(app, "RF-RDSR-Philips_Azurion.dcm")
    with app.app_context():
        system = db.session.get(Study, other).unique_equipment_name_id
    add_rule(app, "rf", "dap", threshold=30000.0, system=system)
    add_rule(app, "dx", "dap", threshold=1.0)
    (study,) = import_corpus(app, "RF-Pat-Orientation-Modifier-Missing.dcm")
    assert alerts(app) == []
    with app.app_context():
        assert db.session.get(Study, study).unique_equipment_name_id != system


@needs_corpus
def test_a_rule_for_the_studys_system_fires(app):
    (study_id,) = import_corpus(app, "RF-RDSR-Philips_Azurion.dcm")
    with app.app_context():
        system = db.session.get(Study, study_id).unique_equipment_name_id
    rule = add_rule(app, "rf", "rp_dose", threshold=0.5, system=system)
    assert reevaluate_rule_in(app, rule) == (1, 1)
    assert alerts(app)[0][:3] == (rule, study_id, pytest.approx(0.548, rel=1e-3))


def reevaluate_rule_in(app, rule_id):
    with app.app_context():
        return reevaluate_rule(rule_id, report=lambda message: None)


def _store_ids(app, hashed=True):
    with app.app_context():
        db.session.add(PatientIDSettings(id_stored=True, id_hashed=hashed))
        db.session.commit()
        lookups.forget()


def _fluoro(app, date, rp, patient_id="PAT-7"):
    with app.app_context():
        record = study_record("rf", date=date, rp_a=rp, dap_a=rp * 0.01, patient_id=patient_id)
        outcome = persist(record, f"fluoro {date}")
        assert outcome.status == "imported"
        return outcome.study_id


def test_cumulative_dose_at_rp_sums_a_patients_imports_within_the_window(app):
    _store_ids(app)
    rule = add_rule(app, "rf", "rp_dose_cumulative", threshold=5.0, weeks=8)
    first = _fluoro(app, datetime.date(2024, 1, 1), 2.0)
    _fluoro(app, datetime.date(2024, 1, 1), 2.5, patient_id="SOMEONE-ELSE")
    second = _fluoro(app, datetime.date(2024, 1, 29), 2.0)
    assert alerts(app) == []  # 4 Gy over two studies
    third = _fluoro(app, datetime.date(2024, 2, 19), 1.5)  # 5.5 Gy over 7 weeks
    later = _fluoro(app, datetime.date(2024, 6, 1), 2.0)  # the others are out of the window
    found = alerts(app)
    assert [row[:2] for row in found] == [(rule, third)]
    assert found[0][2] == pytest.approx(5.5)
    assert found[0][4] == "3 studies from 2024-01-01 to 2024-02-19"
    with app.app_context():
        alert = db.session.scalars(select(Alert)).one()
        assert alert.patient_id == hash_identifier("PAT-7") and alert.patient_id_hashed
    assert len({first, second, third, later}) == 4


def test_cumulative_rules_are_quiet_without_patient_ids(app):
    add_rule(app, "rf", "rp_dose_cumulative", threshold=1.0, weeks=8)
    _fluoro(app, datetime.date(2024, 1, 1), 2.0)
    _fluoro(app, datetime.date(2024, 1, 2), 2.0)
    assert alerts(app) == []


def test_cumulative_dap_over_imports_with_unhashed_ids(app):
    _store_ids(app, hashed=False)
    rule = add_rule(app, "rf", "dap_cumulative", threshold=30000.0, weeks=2)  # cGy·cm²
    _fluoro(app, datetime.date(2024, 1, 1), 2.0)  # 0.02 Gy·m² = 20 000 cGy·cm²
    last = _fluoro(app, datetime.date(2024, 1, 10), 1.5)
    found = alerts(app)
    assert [row[:2] for row in found] == [(rule, last)]
    assert found[0][2] == pytest.approx(35000.0)
    with app.app_context():
        assert db.session.scalars(select(Alert.patient_id)).one() == "PAT-7"


def test_a_changed_rule_is_applied_to_stored_studies(app):
    ids = [_fluoro(app, datetime.date(2024, 1, day), rp) for day, rp in ((1, 1.0), (2, 3.0),
                                                                           (3, 6.0))]
    rule = add_rule(app, "rf", "rp_dose", threshold=2.0)
    assert reevaluate_rule_in(app, rule) == (3, 2)
    assert [row[1] for row in alerts(app)] == ids[1:]
    with app.app_context():
        db.session.get(AlertRule, rule).threshold = 5.0
        db.session.commit()
    assert reevaluate_rule_in(app, rule) == (3, 1)
    assert [row[1] for row in alerts(app)] == ids[2:]
    with app.app_context():
        db.session.get(AlertRule, rule).enabled = False
        db.session.commit()
    assert reevaluate_rule_in(app, rule) == (0, 0)
    assert alerts(app) == []


def test_acknowledged_alerts_survive_a_stricter_rule(app, client, login_as):
    study = _fluoro(app, datetime.date(2024, 1, 1), 3.0)
    rule = add_rule(app, "rf", "rp_dose", threshold=2.0)
    reevaluate_rule_in(app, rule)
    user = login_as("view", username="physicist")
    with app.app_context():
        alert_id = db.session.scalars(select(Alert.id)).one()
    assert client.post(f"/alerts/{alert_id}/acknowledge", data={"comment": ""}).status_code == 302
    with app.app_context():
        assert not db.session.get(Alert, alert_id).acknowledged
    response = client.post(f"/alerts/{alert_id}/acknowledge",
                           data={"comment": "Skin checked, no follow-up needed"})
    assert response.status_code == 302
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        assert (alert.acknowledged, alert.acknowledged_by, alert.comment) == (
            True, "physicist", "Skin checked, no follow-up needed")
        assert alert.acknowledged_at is not None
        entry = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "acknowledge_alert")).one()
        assert (entry.username, entry.target) == ("physicist", f"alert {alert_id} (rf rp_dose)")
        assert entry.details == f"study {study}\ncomment: Skin checked, no follow-up needed"
        db.session.get(AlertRule, rule).threshold = 10.0
        db.session.commit()
    reevaluate_rule_in(app, rule)
    assert [row[1] for row in alerts(app)] == [study]
    assert user.username == "physicist"


def test_the_alerts_page_lists_open_alerts_with_hashed_patient_ids(app, client, login_as):
    _store_ids(app, hashed=False)
    study = _fluoro(app, datetime.date(2024, 1, 1), 6.0)
    add_rule(app, "rf", "rp_dose", threshold=5.0, name="SRDL")
    with app.app_context():
        forget()
    other = _fluoro(app, datetime.date(2024, 1, 2), 7.0)
    assert [row[1] for row in alerts(app)] == [other]
    login_as("view")
    page = client.get("/alerts/")
    assert page.status_code == 200
    assert f'href="/rf/{other}"' in page.text
    assert "SRDL" in page.text and "7 <span" in page.text
    assert "PAT-7" not in page.text
    assert hash_identifier("PAT-7")[:12] in page.text
    login_as("view", "pid")
    page = client.get("/alerts/")
    assert "PAT-7" in page.text
    assert client.get("/alerts/?state=acknowledged").text.count('<tr id="alert-') == 0
    home = client.get("/")
    assert "1 open alert" in home.text
    assert study != other


def test_an_error_in_a_rule_never_fails_the_import(app, monkeypatch, caplog):
    add_rule(app, "rf", "rp_dose", threshold=1.0)

    def broken(*args, **kwargs):
        raise RuntimeError("the rule broke")

    monkeypatch.setattr(evaluation, "evaluate", broken)
    with caplog.at_level(logging.WARNING, logger="app.alerts.evaluation"):
        study = _fluoro(app, datetime.date(2024, 1, 1), 3.0)
    assert alerts(app) == []
    with app.app_context():
        assert db.session.get(Study, study) is not None
    assert f"alert rules were not applied to study {study}: RuntimeError('the rule broke')" \
        in caplog.text


def test_defaults_name_their_sources(app):
    with app.app_context():
        added = add_defaults(db.session)
        db.session.commit()
        assert len(added) == len(DEFAULT_RULES)
        assert add_defaults(db.session) == []
        srdl = db.session.scalars(select(AlertRule).where(AlertRule.kind == "rp_dose")).one()
        assert srdl.threshold == 5.0 and "NCRP Report No. 168" in srdl.source
        dap = db.session.scalars(select(AlertRule).where(AlertRule.modality == "rf",
                                                         AlertRule.kind == "dap")).one()
        assert dap.threshold == pytest.approx(0.05)  # 500 Gy·cm² in Gy·m²
        local = db.session.scalars(select(AlertRule).where(AlertRule.kind == "ct_dlp")).one()
        assert local.source.startswith("Local choice")


def test_rules_page_adds_and_changes_rules_and_queues_their_application(app, client, login_as):
    login_as("view", "admin", username="admin1")
    response = client.post("/alerts/rules", data={
        "name": "Long runs", "modality": "rf", "kind": "rp_dose", "threshold": "3",
        "enabled": "1", "source": "Local choice"})
    assert response.status_code == 302
    with app.app_context():
        rule = db.session.scalars(select(AlertRule)).one()
        assert (rule.name, rule.threshold, rule.enabled) == ("Long runs", 3.0, True)
        from app.models.tasks import BackgroundTask
        task = db.session.scalars(select(BackgroundTask)).one()
        assert (task.task_type, task.subject, task.status) == (
            "alert_reevaluation", "Long runs", "queued")
    bad = client.post("/alerts/rules", data={"name": "x", "modality": "ct", "kind": "rp_dose",
                                             "threshold": "3"})
    assert bad.status_code == 422
    assert "applies to rf, dx, not ct" in bad.text
    client.post(f"/alerts/rules/{rule.id}", data={"name": "Long runs", "threshold": "4"})
    with app.app_context():
        rule = db.session.get(AlertRule, rule.id)
        assert (rule.threshold, rule.enabled) == (4.0, False)
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        assert actions == ["add_alert_rule", "change_alert_rule"]
        assert db.session.scalar(select(func.count(AlertRule.id))) == 1


def test_the_reevaluation_task_reports_progress_on_the_tasks_page(app, worker):
    from app.alerts.background import TASK, queue_reevaluation
    from app.models.tasks import BackgroundTask
    from background import wait_until

    for day in (1, 2, 3):
        _fluoro(app, datetime.date(2024, 1, day), 3.0)
    rule_id = add_rule(app, "rf", "rp_dose", threshold=2.0, name="SRDL")
    worker()
    with app.app_context():
        task_id = queue_reevaluation(db.session.get(AlertRule, rule_id))

    def finished():
        with app.app_context():
            row = db.session.scalars(select(BackgroundTask).where(
                BackgroundTask.uuid == task_id)).one()
            return row if row.status == "done" else None

    row = wait_until(finished, message="the re-evaluation")
    assert (row.task_type, row.message) == (TASK, "SRDL: 3 studies looked at, 3 open alerts")
    assert len(alerts(app)) == 3


def test_the_command_line_adds_defaults_and_changes_rules(app, runner):
    _fluoro(app, datetime.date(2024, 1, 1), 6.0)
    result = runner.invoke(args=["alerts", "defaults"])
    assert result.exit_code == 0, result.output
    assert "11 rules added" in result.output
    # 6 Gy at the reference point and 60 000 cGy·cm²: both SRDLs reached
    assert [row[2:4] for row in alerts(app)] == [(6.0, 5.0), (pytest.approx(60000.0), 50000.0)]
    with app.app_context():
        rule = db.session.scalars(select(AlertRule).where(AlertRule.kind == "rp_dose")).one()
    result = runner.invoke(args=["alerts", "set", str(rule.id), "--threshold", "7"])
    assert "applied to 1 stored studies: 0 open alerts" in result.output
    assert [row[2:4] for row in alerts(app)] == [(pytest.approx(60000.0), 50000.0)]
    result = runner.invoke(args=["alerts", "add", "--modality", "rf", "--kind", "rp_dose",
                                 "--threshold", "-1", "--name", "bad"])
    assert result.exit_code == 1
    assert "not saved: the threshold must be a positive number" in result.output


def test_reevaluation_reports_each_batch_and_progress_lands_on_the_running_task(app):
    from app.models.tasks import BackgroundTask
    from app.tasks import records

    for day in (1, 2, 3):
        _fluoro(app, datetime.date(2024, 1, day), 3.0)
    rule = add_rule(app, "rf", "rp_dose", threshold=2.0)
    seen = []
    with app.app_context():
        assert reevaluate_rule(rule, report=seen.append, batch=2) == (3, 3)
    assert seen == ["2 studies looked at, 2 open alerts", "3 studies looked at, 3 open alerts"]
    with app.app_context():
        db.session.add(BackgroundTask(uuid="task-1", task_type="alert_reevaluation",
                                      status="running"))
        db.session.commit()
        token = records.CURRENT_TASK.set("task-1")
        try:
            records.progress("2 studies looked at, 2 open alerts")
        finally:
            records.CURRENT_TASK.reset(token)
        records.progress("outside any task: nothing to write")
        assert db.session.scalars(select(BackgroundTask.message)).one() == (
            "2 studies looked at, 2 open alerts")


def test_a_database_error_in_the_rules_is_undone_and_the_import_stands(app, monkeypatch,
                                                                      caplog):
    from sqlalchemy import text

    add_rule(app, "rf", "rp_dose", threshold=1.0)
    broken_sql = "SELECT no_such_column FROM no_such_table"
    monkeypatch.setattr(evaluation, "single_study_sql", lambda dialect, statement: (broken_sql, {}))
    monkeypatch.setattr(evaluation, "study_facts",
                        lambda session, ids: session.execute(text(broken_sql)))
    with caplog.at_level(logging.WARNING, logger="app.alerts.evaluation"):
        study = _fluoro(app, datetime.date(2024, 1, 1), 3.0)
    assert f"alert rules were not applied to study {study}" in caplog.text
    assert alerts(app) == []
    with app.app_context():
        stored = db.session.get(Study, study)
        assert stored is not None and stored.total_rp_dose_a == 3.0


def test_radiography_dose_at_rp_and_cumulative_dap_for_one_patient(app):
    _store_ids(app)
    at_rp = add_rule(app, "dx", "rp_dose", threshold=0.002)
    summed = add_rule(app, "dx", "dap_cumulative", threshold=5.0, weeks=4)  # cGy·cm²

    def radiograph(date, dap, rp):
        with app.app_context():
            record = study_record("dx", date=date, dap=dap, patient_id="PAT-9")
            for dose in record["projectionxrayradiationdose_set"]:
                for event in dose["irradeventxraydata_set"]:
                    for source in event.setdefault("irradeventxraysourcedata_set", [{}]):
                        source["dose_rp"] = rp
            outcome = persist(record, "dx")
            assert outcome.status == "imported"
            return outcome.study_id

    first = radiograph(datetime.date(2024, 3, 1), 3e-6, 0.001)  # 3 cGy·cm²
    second = radiograph(datetime.date(2024, 3, 20), 3e-6, 0.003)
    found = alerts(app)
    assert [row[:2] for row in found] == [(at_rp, second), (summed, second)]
    assert found[0][2] == pytest.approx(0.003)
    assert found[1][2] == pytest.approx(6.0)
    assert found[1][4] == "2 studies from 2024-03-01 to 2024-03-20"
    assert first != second


def test_the_alerts_page_filters_by_modality_and_state(app, client, login_as):
    _fluoro(app, datetime.date(2024, 1, 1), 6.0)
    rule = add_rule(app, "rf", "rp_dose", threshold=5.0)
    reevaluate_rule_in(app, rule)
    login_as("view")
    assert client.get("/alerts/?modality=rf").text.count('<tr id="alert-') == 1
    assert client.get("/alerts/?modality=ct").text.count('<tr id="alert-') == 0
    fragment = client.get("/alerts/?state=all", headers={"HX-Request": "true"})
    assert fragment.text.count('<tr id="alert-') == 1 and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_alert_modules_import_on_their_own():
    """Importing calls the alert rules, so the rules must not need importing to load (a
    background re-evaluation or a script may load them first)."""
    import subprocess
    import sys

    for module in ("app.alerts.background", "app.alerts.evaluation", "app.alerts.cli"):
        result = subprocess.run([sys.executable, "-c", f"import {module}"],
                                capture_output=True, text=True)
        assert result.returncode == 0, (module, result.stderr[-500:])


@needs_corpus
def test_administered_activity_against_the_smallest_drl_of_the_mapped_examination(app):
    from app.models.drl import STUDY_DESCRIPTION, DrlSet, DrlValue, StandardName

    rule = add_rule(app, "nm", "nm_activity_drl", threshold=1.0)
    (study_id,) = import_corpus(app, "NM-NmIm-Siemens.dcm")  # 764 MBq
    assert alerts(app) == []  # no DRL loaded, nothing mapped: quiet
    with app.app_context():
        description = db.session.get(Study, study_id).study_description
        national = DrlSet(name="National", values=[
            DrlValue(modality="NM", examination="Bone scan", quantity="activity", value=800,
                     unit="MBq"),
            DrlValue(modality="NM", examination="Other", quantity="activity", value=100,
                     unit="MBq")])
        local = DrlSet(name="Local prescribed", values=[
            DrlValue(modality="NM", examination="Bone scan", quantity="activity", value=0.6,
                     unit="GBq")])
        db.session.add_all([national, local, StandardName(
            modality="NM", field=STUDY_DESCRIPTION, name=description, standard_name="Bone scan")])
        db.session.commit()
    # DRLs and mappings change after import: re-applying the rule uses them.
    assert reevaluate_rule_in(app, rule) == (1, 1)
    (found,) = alerts(app)
    # 764 MBq against the local 600 MBq (0.6 GBq), the smaller of the two Bone scan levels.
    assert found[:2] == (rule, study_id)
    assert found[2] == pytest.approx(764.0 / 600.0)
    assert found[4] == "764 MBq against 600 MBq for 'Bone scan' (Local prescribed)"
