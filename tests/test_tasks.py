"""The task queue and its history: recording, aborting, the worker, and the Tasks page."""
import os
import re
import time
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.network import DicomKeepSettings
from app.models.study import GeneralStudyModuleAttr, ObjectUIDsProcessed
from app.models.tasks import BackgroundTask, TaskHourlyCount
from app.spool import Spool
from app.tasks import records
from app.tasks.imports import import_spooled
from app.tasks.queue import get_queue
from app.tasks.worker import Worker, recover, sweep
from background import ct_report, file_bytes, queue_config, wait_until


@pytest.fixture
def app_config(tmp_path):
    return queue_config(tmp_path)


@pytest.fixture
def spool(app):
    return Spool.for_app(app)


def _row(app, task_id):
    with app.app_context():
        return db.session.scalars(select(BackgroundTask).where(BackgroundTask.uuid == task_id)).first()


def _rows(app):
    with app.app_context():
        return db.session.scalars(select(BackgroundTask).order_by(BackgroundTask.id)).all()


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# Records ---------------------------------------------------------------------------------
def test_a_task_is_recorded_from_queued_to_done_and_counted_in_its_hour(app):
    with app.app_context():
        records.record_queued("t-1", "import_spooled", "CT01 at 10.0.0.5", "a.dcm")
        assert records.start("t-1", "import_spooled")
        records.finish("t-1", "import_spooled", "done", "a.dcm: imported")
        row = db.session.scalars(select(BackgroundTask)).one()
        assert (row.status, row.message, row.source, row.subject) == (
            "done", "a.dcm: imported", "CT01 at 10.0.0.5", "a.dcm")
        assert row.created <= row.started <= row.finished
        [hour] = [h for h in records.hourly_counts(24) if h["total"]]
        assert (hour["done"], hour["failed"], hour["total"]) == (1, 0, 1)
        assert hour["hour"] == row.finished.replace(minute=0, second=0, microsecond=0)


def test_a_task_queued_without_a_row_gets_one_when_it_starts(app):
    with app.app_context():
        enqueued = datetime(2024, 3, 1, 12, 0)
        assert records.start("t-2", "import_spooled", "MG1 at 10.0.0.9", "b.dcm", enqueued)
        row = db.session.scalars(select(BackgroundTask)).one()
        assert (row.status, row.created, row.source) == ("running", enqueued, "MG1 at 10.0.0.9")


def test_abort_wins_over_a_later_start_and_start_over_a_later_abort(app):
    with app.app_context():
        records.record_queued("queued", "import_spooled")
        assert records.abort("queued", "import_spooled", message="aborted by alice")
        assert not records.start("queued", "import_spooled")
        # A task the listener queued (no row yet) that is aborted before it starts.
        assert records.abort("no-row", "import_spooled", subject="c.dcm")
        assert not records.start("no-row", "import_spooled")
        # And one that started first cannot be aborted.
        assert records.start("started", "import_spooled")
        assert not records.abort("started", "import_spooled")
        statuses = dict(db.session.execute(select(BackgroundTask.uuid, BackgroundTask.status)).all())
        assert statuses == {"queued": "aborted", "no-row": "aborted", "started": "running"}


def test_running_tasks_of_a_stopped_worker_are_marked_failed(app):
    with app.app_context():
        records.start("t-3", "import_spooled")
        assert records.interrupted() == 1
        row = db.session.scalars(select(BackgroundTask)).one()
        assert row.status == "failed"
        assert row.message == "the worker stopped while this task ran"


def test_the_history_is_capped_at_the_newest_finished_tasks(app):
    with app.app_context():
        for n in range(7):
            records.start(f"t{n}", "import_spooled")
            records.finish(f"t{n}", "import_spooled", "done")
        records.record_queued("waiting", "import_spooled")
        assert records.prune(keep=3) == 4
        left = db.session.scalars(select(BackgroundTask.uuid).order_by(BackgroundTask.id)).all()
        assert left == ["t4", "t5", "t6", "waiting"]
        # The hourly counts still hold every task.
        assert db.session.scalar(select(func.sum(TaskHourlyCount.count))) == 7


def test_hourly_counts_cover_the_last_day_hour_by_hour(app):
    now = datetime(2024, 5, 2, 10, 30)
    with app.app_context():
        db.session.add_all([
            TaskHourlyCount(hour=datetime(2024, 5, 2, 10), task_type="import_spooled", status="done", count=5),
            TaskHourlyCount(hour=datetime(2024, 5, 2, 10), task_type="import_spooled", status="failed", count=2),
            TaskHourlyCount(hour=datetime(2024, 5, 1, 11), task_type="import_spooled", status="done", count=3),
            # 25 hours before: outside the window.
            TaskHourlyCount(hour=datetime(2024, 5, 1, 9), task_type="import_spooled", status="done", count=9),
        ])
        db.session.commit()
        hours = records.hourly_counts(24, now=now)
    assert len(hours) == 24
    assert hours[0]["hour"] == datetime(2024, 5, 1, 11) and hours[0]["done"] == 3
    assert (hours[-1]["hour"], hours[-1]["done"], hours[-1]["failed"], hours[-1]["total"]) == (
        datetime(2024, 5, 2, 10), 5, 2, 7)
    assert sum(h["total"] for h in hours) == 10


# The queue and the worker ----------------------------------------------------------------
def test_queued_imports_wait_in_the_queue_until_a_worker_runs(app, spool):
    path = spool.add(file_bytes(ct_report()), "1.2.3")
    with app.app_context():
        task_id = import_spooled(path, source="upload by alice")
        waiting = get_queue().pending()
    assert [(t.id, t.name, t.args, t.subject) for t in waiting] == [
        (task_id, "import_spooled", (path.name, "upload by alice"), path.name)]
    assert _row(app, task_id).status == "queued"


def test_the_worker_imports_a_spooled_report_and_removes_its_file(app, spool, worker):
    report = ct_report(dlp=23.4)
    path = spool.add(file_bytes(report), report.SOPInstanceUID)
    with app.app_context():
        task_id = import_spooled(path, source="CT01 at 10.0.0.5")
    worker()

    wait_until(lambda: _row(app, task_id).status == "done", message="the import")
    with app.app_context():
        study = db.session.scalars(select(GeneralStudyModuleAttr)).one()
        assert (study.study_instance_uid, study.total_dlp) == (report.StudyInstanceUID, 23.4)
        assert db.session.scalars(select(ObjectUIDsProcessed.sop_instance_uid)).all() == [
            report.SOPInstanceUID]
    # The report has no events, which the import notes after its result.
    assert _row(app, task_id).message == (
        f"{path.name}: imported\n{path.name}: warning: the CT dose report holds no irradiation events")
    assert spool.counts() == {"waiting": 0, "working": 0, "quarantined": 0}
    assert not any(spool.kept.iterdir())


def test_kept_kinds_keep_their_files(app, spool, worker):
    with app.app_context():
        db.session.add(DicomKeepSettings(keep_rdsr=True))
        db.session.commit()
        path = spool.add(file_bytes(ct_report()), "1.2.3")
        task_id = import_spooled(path)
    worker()

    wait_until(lambda: _row(app, task_id).status == "done", message="the import")
    assert (spool.kept / "rdsr" / path.name).is_file()


def test_an_object_that_is_not_a_dose_report_goes_to_quarantine(app, spool, worker):
    report = ct_report()
    report.ConceptNameCodeSequence[0].CodeValue = "18748-4"
    report.ConceptNameCodeSequence[0].CodeMeaning = "Diagnostic Imaging Report"
    path = spool.add(file_bytes(report), report.SOPInstanceUID)
    with app.app_context():
        task_id = import_spooled(path, source="PACS at 10.0.0.7")
    worker()

    wait_until(lambda: _row(app, task_id).status == "failed", message="the rejection")
    [entry] = spool.quarantined()
    assert entry.name == path.name
    assert entry.status == "rejected"
    assert "not a radiation dose report" in entry.reason
    assert entry.details["source"] == "PACS at 10.0.0.7"
    assert entry.details["sop_instance_uid"] == report.SOPInstanceUID
    assert "moved to quarantine" in _row(app, task_id).message
    assert _count(app, GeneralStudyModuleAttr) == 0


def test_recovery_requeues_waiting_and_interrupted_files_once(app, spool):
    waiting = spool.add(b"a", "1.1")
    interrupted = spool.claim(spool.add(b"b", "1.2"))
    queued = spool.add(b"c", "1.3")
    with app.app_context():
        import_spooled(queued)
        records.start("crashed", "import_spooled")

    assert recover(app) == {"interrupted": 1, "released": 1, "queued": 2,
                            "resumed_queries": 0}
    with app.app_context():
        names = sorted(t.args[0] for t in get_queue().pending())
    assert names == sorted([waiting.name, interrupted.name, queued.name])
    # Recovering again queues nothing more: every waiting file has its task.
    assert recover(app)["queued"] == 0


def test_the_sweep_queues_only_files_left_without_a_task_for_a_minute(app, spool):
    orphan = spool.add(b"a", "1.1")
    fresh = spool.add(b"b", "1.2")
    queued = spool.add(b"c", "1.3")
    old = time.time() - 120
    for path in (orphan, queued):
        os.utime(path, (old, old))
    with app.app_context():
        import_spooled(queued)
        sweep(app)
        names = sorted(t.args[0] for t in get_queue().pending())
    assert names == sorted([orphan.name, queued.name])
    assert fresh.name not in names


def test_a_task_for_a_file_already_imported_does_nothing(app, spool, worker):
    path = spool.add(file_bytes(ct_report()), "1.2.3")
    with app.app_context():
        first = import_spooled(path)
        second = import_spooled(path)
    worker()

    wait_until(lambda: all(_row(app, t) and _row(app, t).status == "done" for t in (first, second)),
               message="both tasks")
    messages = sorted(_row(app, t).message for t in (first, second))
    assert messages == sorted([f"{path.name}: imported\n{path.name}: warning: the CT dose report "
                               "holds no irradiation events",
                               f"{path.name}: nothing to do (already imported, removed or quarantined)"])
    assert _count(app, GeneralStudyModuleAttr) == 1


# The Tasks page --------------------------------------------------------------------------
def test_tasks_page_shows_counts_hours_and_history(app, client, login_as):
    with app.app_context():
        records.start("t-done", "import_spooled", "CT01 at 10.0.0.5", "done.dcm")
        records.finish("t-done", "import_spooled", "done", "done.dcm: imported")
        records.start("t-failed", "import_spooled", None, "bad.dcm")
        records.finish("t-failed", "import_spooled", "failed", "bad.dcm: rejected")
    login_as("view", "admin")

    page = client.get("/admin/tasks/")
    assert page.status_code == 200
    assert re.search(r'data-status="done">1<', page.text)
    assert re.search(r'data-status="failed">1<', page.text)
    assert "done.dcm: imported" in page.text and "CT01 at 10.0.0.5" in page.text
    assert "worker not running" in page.text
    assert 'id="task-hours"' in page.text

    failed_only = client.get("/admin/tasks/?status=failed", headers={"HX-Request": "true"})
    assert "<html" not in failed_only.text
    assert "bad.dcm: rejected" in failed_only.text and "done.dcm" not in failed_only.text
    assert "HX-Request" in failed_only.headers["Vary"]


def test_history_pages_hold_fifty_tasks(app, client, login_as):
    with app.app_context():
        for n in range(51):
            records.start(f"t{n}", "import_spooled", None, f"file{n:02d}.dcm")
            records.finish(f"t{n}", "import_spooled", "done")
    login_as("view", "admin")

    first = client.get("/admin/tasks/?status=done").text
    second = client.get("/admin/tasks/?status=done&page=2").text
    assert "file50.dcm" in first and "file00.dcm" not in first
    assert "file00.dcm" in second and "Page 2 of 2" in second


def test_aborting_a_queued_import_asks_first_then_quarantines_its_file(app, client, login_as, spool):
    path = spool.add(b"data", "1.2.3")
    with app.app_context():
        # As the listener queues it: no row until a worker starts it.
        task_id = import_spooled(path, source="CT01 at 10.0.0.5", record=False)
    login_as("view", "admin")

    queued = client.get("/admin/tasks/?status=queued").text
    assert path.name in queued and f"/admin/tasks/{task_id}/abort" in queued

    confirm = client.post(f"/admin/tasks/{task_id}/abort")
    assert confirm.status_code == 200
    assert "Abort the DICOM import of" in confirm.text and 'name="confirm" value="yes"' in confirm.text
    assert _row(app, task_id) is None

    done = client.post(f"/admin/tasks/{task_id}/abort", data={"confirm": "yes"},
                       headers={"HX-Request": "true"})
    assert "Aborted the DICOM import" in done.text
    row = _row(app, task_id)
    assert (row.status, row.message) == ("aborted", "aborted by user1")
    [entry] = spool.quarantined()
    assert (entry.name, entry.status, entry.reason) == (
        path.name, "aborted", "the import was aborted by user1")
    with app.app_context():
        assert get_queue().huey.is_revoked(task_id)


def test_a_started_task_cannot_be_aborted(app, client, login_as):
    with app.app_context():
        records.record_queued("t-run", "import_spooled", subject="x.dcm")
        records.start("t-run", "import_spooled")
    login_as("view", "admin")

    answer = client.post("/admin/tasks/t-run/abort", data={"confirm": "yes"}, follow_redirects=True)
    assert "it cannot be aborted" in answer.text
    assert _row(app, "t-run").status == "running"
    assert client.post("/admin/tasks/nonesuch/abort", data={"confirm": "yes"}).status_code == 404


def test_abort_needs_a_csrf_token(csrf_app, make_user):
    user = make_user(roles=("view", "admin"))
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert client.post("/admin/tasks/x/abort", data={"confirm": "yes"}).status_code == 400


def _redis_url():
    """A Redis database for the queue tests, or None when no Redis server answers."""
    url = os.environ.get("KERMA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:
        return None
    return url


@pytest.mark.skipif(_redis_url() is None, reason="no Redis server at KERMA_TEST_REDIS_URL")
def test_the_queue_on_redis_imports_what_it_is_given(app, spool):
    """HUEY_STORAGE = "redis": tasks wait in Redis, the worker takes them from there."""
    # The queue is built on first use, from the settings as they are then.
    app.config.update(HUEY_STORAGE="redis", HUEY_REDIS_URL=_redis_url(),
                      HUEY_NAME=f"kerma-test-{os.getpid()}-{time.monotonic_ns()}")
    report = ct_report(dlp=31.5)
    path = spool.add(file_bytes(report), report.SOPInstanceUID)
    with app.app_context():
        queue = get_queue()
        try:
            task_id = import_spooled(path, source="CT02")
            assert [t.id for t in queue.pending()] == [task_id]
            assert type(queue.huey.storage).__name__ == "RedisStorage"
            running = Worker(app, workers=1, install_signals=False)
            running.start()
            try:
                wait_until(lambda: _row(app, task_id).status == "done", message="the import")
            finally:
                running.stop()
            assert db.session.scalars(select(GeneralStudyModuleAttr.total_dlp)).all() == [31.5]
            # Taken from Redis. (A housekeeping task the scheduler queues as a minute turns
            # may still wait: it is not this test's.)
            assert queue.pending() == []
        finally:
            queue.huey.storage.flush_all()
