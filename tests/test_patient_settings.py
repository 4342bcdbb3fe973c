"""Patient identifier settings and not-patient patterns: what they do to stored studies."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.importing import import_dataset
from app.models.auth import AuditLog
from app.models.tasks import BackgroundTask
from app.models.settings import NotPatientIndicatorsName, PatientIDSettings
from app.models.study import GeneralStudyModuleAttr as Study
from app.models.study import PatientModuleAttr as Patient
from app.modalities import CT
from app.modalities.filtering import filter_studies
from app.patients.indicators import reevaluate, save_patterns
from background import ct_report, queue_config, wait_until
from study_records import make_studies, study_ids


@pytest.fixture
def app_config(tmp_path):
    """The spool and the queue in the test's folder, for the worker."""
    return queue_config(tmp_path)


def _indicators(app):
    with app.app_context():
        return dict(db.session.execute(select(Patient.general_study_module_attr_id,
                                              Patient.not_patient_indicator)).all())


def _marked(app):
    """The studies whose ``not_patient`` flag (the list filter's copy) is set."""
    with app.app_context():
        return set(db.session.scalars(select(Study.id).where(Study.not_patient.is_(True))))


def _store_names(app, **settings):
    with app.app_context():
        db.session.add(PatientIDSettings(**{"name_stored": True, "name_hashed": False,
                                            "id_stored": True, "id_hashed": False,
                                            **settings}))
        db.session.add(NotPatientIndicatorsName(not_patient_name="*phantom*"))
        db.session.commit()


def test_the_indicator_is_set_at_import_from_the_object_even_when_names_are_dropped(app):
    with app.app_context():
        db.session.add(NotPatientIndicatorsName(not_patient_name="*phantom*"))
        db.session.commit()
        outcome = import_dataset(ct_report(PatientName="QA^Phantom", PatientID="X1"), "test")
        patient = db.session.scalars(select(Patient)).one()
        # Names are not stored by default, but the pattern met the name as sent.
        assert patient.patient_name is None
        assert patient.not_patient_indicator == "Names: *phantom*"
        assert outcome.study_id in set(study_ids(app, filter_studies(CT, {"test_data": "yes"})))
        assert outcome.study_id not in set(study_ids(app, filter_studies(CT, {})))
        assert _marked(app) == {outcome.study_id}


def test_changed_patterns_mark_and_unmark_stored_studies(app):
    _store_names(app)
    smith, phantom, water = make_studies(
        app, "ct", {"patient_name": "SMITH^ANNA", "patient_id": "P1"},
        {"patient_name": "QA^PHANTOM", "patient_id": "P2"},
        {"patient_name": "CAL^WATER", "patient_id": "P3"})
    assert _indicators(app) == {smith: None, phantom: "Names: *phantom*", water: None}
    assert _marked(app) == {phantom}
    with app.app_context():
        assert save_patterns(["p3"], ["*water*"])
        result = reevaluate()
    assert _indicators(app) == {smith: None, phantom: None,
                                water: "IDs: p3 | Names: *water*"}
    assert (result.checked, result.marked, result.unmarked, result.unchecked) == (3, 1, 1, 0)
    assert _marked(app) == {water}
    assert set(study_ids(app, filter_studies(CT, {}))) == {smith, phantom}


def test_hashed_names_keep_the_mark_set_at_import(app):
    _store_names(app, name_hashed=True, id_hashed=True)
    phantom, = make_studies(app, "ct", {"patient_name": "QA^PHANTOM"})
    with app.app_context():
        save_patterns([], ["*nothing*"])
        result = reevaluate()
    assert _indicators(app) == {phantom: "Names: *phantom*"}
    assert (result.checked, result.unchecked) == (0, 1)


def test_the_test_patients_page_saves_audits_and_re_evaluates(app, client, login_as):
    _store_names(app)
    smith, phantom = make_studies(app, "ct", {"patient_name": "SMITH^ANNA"},
                                  {"patient_name": "QA^PHANTOM"})
    login_as("view", "admin")
    assert "*phantom*" in client.get("/admin/test-patients").data.decode()
    response = client.post("/admin/test-patients",
                           data={"id_patterns": "", "name_patterns": "smith^*\n\n SMITH^* \n"})
    assert response.status_code == 302
    assert _indicators(app) == {smith: "Names: smith^*", phantom: None}
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        assert actions == ["settings.not_patient", "settings.not_patient_reevaluate"]
        details = db.session.scalars(select(AuditLog.details).order_by(AuditLog.id)).first()
        assert details == ("ID patterns: [] -> []\n"
                           "Name patterns: ['*phantom*'] -> ['smith^*']")
    # The list leaves the marked study out, and shows it when asked.
    listing = client.get("/ct/").data.decode()
    assert f'id="study-{phantom}"' in listing and f'id="study-{smith}"' not in listing
    assert f'id="study-{smith}"' in client.get("/ct/?test_data=yes").data.decode()


def test_re_evaluation_runs_in_the_task_queue_when_a_worker_runs(app, client, login_as,
                                                                 worker):
    _store_names(app)
    phantom, = make_studies(app, "ct", {"patient_name": "QA^PHANTOM"})
    worker()
    login_as("view", "admin")
    response = client.post("/admin/test-patients",
                           data={"id_patterns": "", "name_patterns": "*nobody*"})
    assert response.status_code == 302

    def finished():
        with app.app_context():
            task = db.session.scalars(select(BackgroundTask).where(
                BackgroundTask.task_type == "not_patient_reevaluate")).first()
            return task if task and task.status == "done" else None

    task = wait_until(finished, message="the re-evaluation task")
    assert task.message.startswith("1 studies checked: 0 newly marked as test data, "
                                   "1 no longer marked")
    assert _indicators(app) == {phantom: None}
    assert "1 no longer marked" in client.get("/admin/test-patients/progress").data.decode()


def _patients(app):
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Patient.patient_name, Patient.name_hashed, Patient.patient_id)
            .order_by(Patient.id))]


def test_identifier_page_says_what_changes_before_saving_and_loses_nothing_silently(
        app, client, login_as):
    _store_names(app)
    make_studies(app, "ct", {"patient_name": "SMITH^ANNA", "patient_id": "P1"},
                 {"patient_name": "JONES^BOB", "patient_id": "P2"})
    login_as("view", "admin")
    form = {"name_hashed": "1", "id_stored": "1"}  # stop storing names, hash them if stored
    preview = client.post("/admin/patient-identifiers", data=form).data.decode()
    assert "The 2 studies already holding a patient name keep it" in preview
    assert "The 2 stored in plain text stay readable" in preview
    assert 'value="erase_names"' in preview
    # Nothing is saved until confirmed.
    with app.app_context():
        assert db.session.scalars(select(PatientIDSettings.name_stored)).one() is True
    client.post("/admin/patient-identifiers", data={**form, "confirm": "1"})
    assert _patients(app) == [("SMITH^ANNA", False, "P1"), ("JONES^BOB", False, "P2")]
    with app.app_context():
        row = db.session.scalars(select(PatientIDSettings)).one()
        assert (row.name_stored, row.name_hashed, row.id_stored) == (False, True, True)
        assert db.session.scalars(select(AuditLog.details)).one() == \
            "name_stored: True -> False\nname_hashed: False -> True"


def test_stored_values_change_only_through_the_ticked_actions(app, client, login_as):
    _store_names(app)
    make_studies(app, "ct", {"patient_name": "SMITH^ANNA", "patient_id": "P1",
                             "accession": "ACC1"})
    login_as("view", "admin")
    client.post("/admin/patient-identifiers", data={
        "name_stored": "1", "name_hashed": "1", "id_stored": "1", "accession_hashed": "1",
        "confirm": "1", "action": ["hash_names", "hash_accessions"]})
    from app.importing.identity import hash_identifier
    digest = hash_identifier("SMITH^ANNA")
    assert _patients(app) == [(digest, True, "P1")]
    with app.app_context():
        study = db.session.scalars(select(Study)).one()
        assert (study.accession_number, study.accession_hashed) == (hash_identifier("ACC1"), True)
    # Hashed names are found by the whole name, as new imports are.
    assert len(study_ids(app, filter_studies(CT, {"patient_name": "SMITH^ANNA"}, pid=True))) == 1
    client.post("/admin/patient-identifiers", data={
        "id_stored": "", "name_stored": "1", "name_hashed": "1", "accession_hashed": "1",
        "confirm": "1", "action": ["erase_ids"]})
    assert _patients(app) == [(digest, True, None)]


def test_settings_commands(app, runner):
    _store_names(app)
    phantom, = make_studies(app, "ct", {"patient_name": "QA^PHANTOM"})
    result = runner.invoke(args=["settings", "not-patient", "--name", "*nobody*"])
    assert result.exit_code == 0, result.output
    assert "1 studies checked: 0 newly marked as test data, 1 no longer marked" in result.output
    assert _indicators(app) == {phantom: None}
    result = runner.invoke(args=["settings", "patient-ids", "--no-name-stored", "--yes"])
    assert "keep it, unless you also tick" in result.output
    shown = dict(line.split("\t") for line in
                 runner.invoke(args=["settings", "show"]).output.splitlines())
    assert shown["name_stored"] == "no" and shown["not_patient_name"] == "*nobody*"
    assert _patients(app) == [("QA^PHANTOM", False, "PID-1")]
