"""Device identities: display names merge systems, user-defined modalities move studies."""
import csv
import io
import re

import pytest
from sqlalchemy import func, select, update

from app.equipment import identities
from app.equipment.identities import identity_rows, set_display_name, set_user_modality
from app.extensions import db
from app.models import GeneralStudyModuleAttr as Study
from app.models.auth import AuditLog
from app.models.tasks import BackgroundTask
from app.models.study import UniqueEquipmentNames
from app.models.tally import StudyTally
from app.modalities import CT, DX, RF
from app.modalities.filtering import filter_studies
from background import queue_config, wait_until
from study_records import make_studies, store_records, study_ids, study_record


@pytest.fixture
def app_config(tmp_path):
    """The spool and the queue in the test's folder, for the worker."""
    return queue_config(tmp_path)


def _ids(app, config, args=None):
    return set(study_ids(app, filter_studies(config, args or {})))


def _identity_of(app, study_id):
    with app.app_context():
        return db.session.get(Study, study_id).unique_equipment_name_id


def _home_rows(html, key):
    section = html.split(f'id="home-{key}"')[1].split("</section>")[0]
    return [[re.sub(r"<[^>]+>|\s+", " ", cell).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]]


def _two_ct_devices(app):
    first, second = make_studies(app, "ct", {"institution": "North", "station": "CT1"},
                                 {"institution": "North", "station": "CT2"})
    return first, second, _identity_of(app, first), _identity_of(app, second)


def test_new_identities_are_listed_as_new_until_reviewed(app, client, login_as):
    _, _, one, two = _two_ct_devices(app)
    login_as("view", "admin")
    page = client.get("/admin/equipment/?new=1").data.decode()
    assert page.count('<span class="badge text-bg-info">new</span></td>') == 2
    assert client.post("/admin/equipment/review", data={"identity": [str(one)]}).status_code == 302
    with app.app_context():
        assert [row.identity.id for row in identity_rows(new_only=True)] == [two]
        rows = {row.identity.id: row for row in identity_rows()}
        assert rows[one].studies == {"CT": 1} and rows[one].identity.reviewed
        assert rows[one].identity.station_name == "CT1"


def test_a_shared_display_name_is_one_system_in_filters_home_and_exports(app, client,
                                                                           login_as):
    first, second, one, two = _two_ct_devices(app)
    login_as("view", "admin", "export")
    response = client.post("/admin/equipment/display-name",
                           data={"identity": [str(one), str(two)], "display_name": "Main CT"})
    assert response.status_code == 302
    # List filter: the exact name finds both devices' studies.
    assert _ids(app, CT, {"display_name": '"Main CT"'}) == {first, second}
    assert _ids(app, CT, {"display_name": '"North CT1"'}) == set()
    # Home page: one line for the system, counting both studies.
    assert _home_rows(client.get("/").data.decode(), "ct") == [
        ["Main CT", "2", "2024-03-05", "0", "0"]]
    # Export column.
    text = client.get('/exports/ct.csv?display_name="Main CT"').data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Display name"] for row in rows] == ["Main CT", "Main CT"]
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "equipment.display_name")).one()
        assert entry.details.splitlines() == [
            f"identity {one}: 'North CT1' -> 'Main CT'", f"identity {two}: 'North CT2' -> 'Main CT'"]
        assert all(i.reviewed for i in db.session.scalars(select(UniqueEquipmentNames)))


def test_a_display_name_reaches_charts_and_drl_systems(app, client, login_as):
    _, _, one, two = _two_ct_devices(app)
    with app.app_context():
        set_display_name([one, two], "Main CT")
        from app.charts.definitions import CHARTS
        chart = next(c for c in CHARTS["ct"] if c.key == "dlp_study_description")
        values = chart.values(Study.modality_type == "CT").subquery()
        systems = db.session.execute(
            select(func.count(func.distinct(values.c.identity)))).scalar_one()
        assert systems == 2  # two identities...
    login_as("view")
    page = client.get("/charts/ct/?chart=dlp_study_description&split=1").data.decode()
    assert "Main CT" in page and "North CT1" not in page  # ...drawn as one system


def test_a_user_defined_modality_moves_stored_and_future_studies(app, client, login_as):
    dx_study, = make_studies(app, "dx", {"institution": "West", "station": "DR1"})
    ct_study, = make_studies(app, "ct", {"institution": "West", "station": "DR1"})
    identity = _identity_of(app, dx_study)
    assert _ids(app, DX) == {dx_study}
    login_as("view", "admin")
    response = client.post("/admin/equipment/modality",
                           data={"identity": [str(identity)], "modality": "RF"})
    assert response.status_code == 302
    assert _ids(app, DX) == set() and _ids(app, RF) == {dx_study}
    assert _ids(app, CT) == {ct_study}  # the same device's CT study is never forced
    with app.app_context():
        study = db.session.get(Study, dx_study)
        assert (study.modality_type, study.modality_type_as_sent) == ("RF", "DX")
        tally = dict(db.session.execute(
            select(StudyTally.modality_type, StudyTally.studies)
            .where(StudyTally.unique_equipment_name_id == identity)).all())
        assert tally == {"RF": 1, "CT": 1}
    assert "West DR1" in client.get("/").data.decode().split('id="home-rf"')[1]
    # A study imported later from the same device goes to the forced list at once.
    later, = store_records(app, [study_record("dx", institution="West", station="DR1")])
    assert _ids(app, RF) == {dx_study, later}
    # Clearing the override puts every study back where its device sent it.
    with app.app_context():
        assert set_user_modality([identity], None) == 2
    assert _ids(app, DX) == {dx_study, later} and _ids(app, RF) == set()
    with app.app_context():
        assert db.session.get(Study, later).modality_type_as_sent is None
        assert dict(db.session.execute(
            select(StudyTally.modality_type, StudyTally.studies)
            .where(StudyTally.unique_equipment_name_id == identity)).all()) == {"DX": 2, "CT": 1}
        actions = db.session.execute(select(AuditLog.action, AuditLog.details).where(
            AuditLog.action.like("equipment.modality%")).order_by(AuditLog.id)).all()
        assert [tuple(row) for row in actions] == [
            ("equipment.modality", f"identity {identity}: (as sent) -> RF"),
            ("equipment.modality_applied", "RF: 1 studies changed"),
            ("equipment.modality", f"identity {identity}: RF -> (as sent)"),
            ("equipment.modality_applied", "(as sent): 2 studies changed")]


def test_a_user_defined_modality_is_applied_in_chunks_with_progress(app, monkeypatch):
    studies = make_studies(app, "dx", *[{"station": "DR9"}] * 5)
    identity = _identity_of(app, studies[0])
    monkeypatch.setattr(identities, "CHUNK", 2)
    seen = []
    with app.app_context():
        assert set_user_modality([identity], "RF", progress=lambda *p: seen.append(p)) == 5
        assert seen == [(2, 5), (4, 5), (5, 5)]
        # Interrupted half-way, applying again moves what is left and recounts the tally.
        db.session.execute(update(Study).where(Study.id.in_(studies[3:])).values(
            modality_type="DX", modality_type_as_sent=None))
        db.session.commit()
        assert identities.apply_user_modality([identity], "RF") == 2
        assert dict(db.session.execute(
            select(StudyTally.modality_type, StudyTally.studies)
            .where(StudyTally.unique_equipment_name_id == identity)).all()) == {"RF": 5}
        # An override changed since the application was asked for is not applied.
        identities.save_user_modality([identity], "CR")
        assert identities.apply_user_modality([identity], "RF") == 0
    assert _ids(app, RF) == set(studies)


def test_a_user_defined_modality_is_applied_by_the_task_queue_when_a_worker_runs(
        app, client, login_as, worker):
    studies = make_studies(app, "dx", {"station": "DR7"}, {"station": "DR7"})
    identity = _identity_of(app, studies[0])
    worker()
    login_as("view", "admin")
    response = client.post("/admin/equipment/modality",
                           data={"identity": [str(identity)], "modality": "RF"})
    assert response.status_code == 302

    def finished():
        with app.app_context():
            task = db.session.scalars(select(BackgroundTask).where(
                BackgroundTask.task_type == "equipment_modality")).first()
            return task if task and task.status == "done" else None

    task = wait_until(finished, message="the modality task")
    assert task.message == "RF applied: 2 studies changed modality"
    assert _ids(app, RF) == set(studies) and _ids(app, DX) == set()
    fragment = client.get("/admin/equipment/modality/progress").data.decode()
    assert "RF applied: 2 studies changed modality" in fragment and "hx-get" not in fragment
    assert "RF applied" in client.get("/admin/equipment/").data.decode()


def test_forcing_cr_keeps_studies_in_the_radiography_list(app):
    study, = make_studies(app, "dx", {"station": "DR2"})
    identity = _identity_of(app, study)
    with app.app_context():
        assert set_user_modality([identity], "cr") == 1
        assert db.session.get(Study, study).modality_type == "CR"
    assert _ids(app, DX) == {study}


def test_equipment_commands(app, runner):
    _, _, one, two = _two_ct_devices(app)
    result = runner.invoke(args=["equipment", "name", str(one), str(two),
                                 "--display-name", "Main CT"])
    assert result.exit_code == 0, result.output
    assert "2 identities renamed" in result.output
    listing = runner.invoke(args=["equipment", "list"]).output.splitlines()
    assert [line.split("\t")[:2] for line in listing] == [[str(one), "Main CT"],
                                                          [str(two), "Main CT"]]
    bad = runner.invoke(args=["equipment", "modality", str(one), "--set", "CT"])
    assert bad.exit_code != 0
    result = runner.invoke(args=["equipment", "modality", "999", "--set", "RF"])
    assert "no device identity 999" in result.output
    dx_study, = make_studies(app, "dx", {"station": "DR4"})
    result = runner.invoke(args=["equipment", "modality", str(_identity_of(app, dx_study)),
                                 "--set", "PX"])
    assert result.exit_code == 0, result.output
    assert "1 stored studies changed modality" in result.output
    with app.app_context():
        assert db.session.get(Study, dx_study).modality_type == "PX"
    with app.app_context():
        entry = db.session.scalars(select(AuditLog).where(
            AuditLog.action == "equipment.display_name")).one()
        assert entry.username == "(command line)"
