"""Query-retrieve against a real archive: dcmtk's dcmqrscp, loaded with corpus files.

Kerma finds, filters and retrieves (C-GET on its own association, C-MOVE to its listener
running in this process), the in-process worker imports, and the query's stored rows say
what happened.
"""
import os
import socket
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.uid import CTImageStorage, generate_uid
from sqlalchemy import func, select

from app.extensions import db
from app.importing import import_file
from app.models.auth import utcnow
from app.models.network import (IMPORTED_OBJECT, QR_DONE, QR_FAILED, QR_QUEUED, QR_RUNNING,
                                RETRIEVED, RETRIEVING, WANTED, QrObject, QrQuery, QrSchedule,
                                RemoteNode)
from app.models.study import GeneralStudyModuleAttr
from app.network import nodes, queries, schedules
from app.network.listener import Listener
from app.spool import Spool
from background import queue_config, wait_until
from conformance import CORPUS
from qr_pacs import DcmQrScp, free_port, have_dcmtk

pytestmark = [pytest.mark.network, pytest.mark.skipif(
    not have_dcmtk(), reason="dcmtk (dcmqrscp, storescu) is not installed")]

REPO = Path(__file__).resolve().parents[1]
DICOM = CORPUS / "dicom"
TOSHIBA_RDSR = "CT-RDSR-ToshibaPixelMed.dcm"      # CT dose report, study date 2016-12-06
PHILIPS_SC = "CT-SC-Philips_Brilliance16P.dcm"    # CT dose screen, 2017-05-16
MG_IMAGE = "MG-Im-GE_Seno_1_ForPresentation.dcm"  # mammography image, 2013-04-12
PET_IMAGE = "NM-PetIm-Siemens.dcm"                 # PET image, 2022-02-24
WIDE = {"date_from": date(2010, 1, 1), "date_to": date(2023, 12, 31)}


@pytest.fixture
def app_config(tmp_path):
    return {**queue_config(tmp_path), "DICOM_PORT": 0, "DICOM_BIND": "127.0.0.1",
            "DICOM_AE_TITLE": "KERMA", "QR_TIMEOUT": 5, "QR_DAYS_PER_FIND": 10000}


@pytest.fixture
def ctx(app):
    """An application context for the test's own database work."""
    with app.app_context():
        yield


@pytest.fixture
def corpus():
    if not DICOM.is_dir():
        pytest.skip(f"the DICOM corpus is not at {DICOM}")
    return DICOM


@pytest.fixture
def archive_files(tmp_path, corpus):
    """The corpus objects, plus a CT image series of three images in the Philips study."""
    folder = tmp_path / "load"
    folder.mkdir()
    for name in (TOSHIBA_RDSR, PHILIPS_SC, MG_IMAGE, PET_IMAGE):
        (folder / name).write_bytes((DICOM / name).read_bytes())
    series = generate_uid()
    for number in range(1, 4):
        ds = dcmread(DICOM / PHILIPS_SC)
        ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.SeriesInstanceUID = series
        ds.InstanceNumber = number
        ds.save_as(folder / f"ct-image-{number}.dcm")
    return folder


def uid_of(name):
    return str(dcmread(DICOM / name, stop_before_pixels=True).SOPInstanceUID)


def study_uid_of(name):
    return str(dcmread(DICOM / name, stop_before_pixels=True).StudyInstanceUID)


@pytest.fixture
def pacs(tmp_path, archive_files):
    """dcmqrscp holding the archive files; Kerma's listener (for C-MOVE) is not running."""
    archive = DcmQrScp(tmp_path / "pacs", kerma_port=free_port()).start()
    archive.load(archive_files)
    yield archive
    archive.stop()


@pytest.fixture
def listener(app):
    running = Listener(app)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def moving_pacs(tmp_path, archive_files, listener):
    """dcmqrscp that knows Kerma's listener as the C-MOVE destination KERMA."""
    archive = DcmQrScp(tmp_path / "pacs", kerma_port=listener.port).start()
    archive.load(archive_files)
    yield archive
    archive.stop()


def add_node(archive, method="get", ae_title=None, port=None, name="PACS"):
    node = RemoteNode(name=name, ae_title=ae_title or archive.ae_title, host="127.0.0.1",
                      port=port or archive.port, retrieve_method=method)
    db.session.add(node)
    db.session.commit()
    return node


def run(node, **filters):
    dates = {**WIDE, **{k: filters.pop(k) for k in ("date_from", "date_to") if k in filters}}
    query = queries.create_query(node, dates["date_from"], dates["date_to"], **filters)
    db.session.commit()
    return queries.run_query(query.id)


def wanted_uids(query):
    return set(db.session.scalars(select(QrObject.sop_instance_uid)
                                  .where(QrObject.query_id == query.id)))


def imported_study_uids():
    return set(db.session.scalars(select(GeneralStudyModuleAttr.study_instance_uid)))


def status_of(query_id):
    """The query's status as last committed (the test's own transaction ended first)."""
    db.session.rollback()
    return db.session.scalar(select(QrQuery.status).where(QrQuery.id == query_id))


def wait_imported(query, count):
    def done():
        db.session.rollback()
        counts = queries.progress(query)
        return counts[IMPORTED_OBJECT] == count and counts
    return wait_until(done, timeout=30, message=f"{count} imports of query {query.id}")


def first_pet_uid():
    return uid_of(PET_IMAGE)


# Finding and filtering ---------------------------------------------------------------------
def test_find_keeps_only_the_dose_objects(app, ctx, pacs):
    node = add_node(pacs)
    query = run(node)
    assert query.status == QR_DONE
    assert (query.studies_found, query.studies_kept) == (4, 4)
    # The CT image series of the Philips study is neither a dose report nor a dose screen.
    assert wanted_uids(query) == {uid_of(TOSHIBA_RDSR), uid_of(PHILIPS_SC), uid_of(MG_IMAGE),
                                  first_pet_uid()}
    assert query.series_found == 5 and query.series_kept == 4
    reasons = dict(db.session.execute(select(QrObject.sop_instance_uid, QrObject.reason)
                                      .where(QrObject.query_id == query.id)).all())
    assert reasons[uid_of(TOSHIBA_RDSR)] == "dose report"
    assert reasons[uid_of(PHILIPS_SC)] == "CT dose screen"
    assert reasons[uid_of(MG_IMAGE)] == "image header"
    assert reasons[first_pet_uid()] == "first image of the series"


@pytest.mark.parametrize("filters, expected", [
    # A study holding only a report does not say its modality: it is kept whatever is asked.
    ({"modalities": "MG"}, {MG_IMAGE, TOSHIBA_RDSR}),
    ({"modalities": "NM"}, {TOSHIBA_RDSR}),
    ({"modalities": "CT,PT"}, {TOSHIBA_RDSR, PHILIPS_SC, PET_IMAGE}),
    ({"date_from": date(2016, 12, 6), "date_to": date(2016, 12, 6)}, {TOSHIBA_RDSR}),
    ({"date_from": date(2017, 1, 1), "date_to": date(2017, 12, 31), "modalities": "MG"}, set()),
    ({"description_include": "CT THORAX*"}, {PHILIPS_SC}),
    ({"description_include": "THORAX*"}, set()),
    ({"description_include": "ganzk?erper"}, set()),
    ({"description_include": "*ganzk?erper*"}, {PET_IMAGE}),
    ({"description_exclude": "thorax, fdg"}, {TOSHIBA_RDSR, MG_IMAGE}),
    ({"modalities": "CT", "description_exclude": "abdo"}, {TOSHIBA_RDSR}),
])
def test_filters(app, ctx, pacs, filters, expected):
    query = run(add_node(pacs), **filters)
    assert query.status == QR_DONE
    assert wanted_uids(query) == {uid_of(name) for name in expected}


def test_a_station_filter_keeps_nothing_when_the_node_gives_no_station_names(app, ctx, pacs):
    # dcmqrscp does not return Station Name: an include filter cannot be satisfied, an
    # exclude filter drops nothing.
    node = add_node(pacs)
    assert wanted_uids(run(node, station_include="CT01")) == set()
    assert len(wanted_uids(run(node, station_exclude="CT01"))) == 4


# Retrieving --------------------------------------------------------------------------------
def test_get_retrieves_into_the_spool_and_the_worker_imports(app, ctx, pacs, worker):
    worker(2)
    query = run(add_node(pacs, method="get"))
    assert query.status == QR_DONE
    assert queries.progress(query)["retrieved"] == 4
    counts = wait_imported(query, 4)
    assert counts["failed"] == counts["missing"] == 0
    assert {study_uid_of(n) for n in (TOSHIBA_RDSR, PHILIPS_SC, MG_IMAGE, PET_IMAGE)} <= \
        imported_study_uids()
    toshiba = db.session.scalars(select(GeneralStudyModuleAttr).where(
        GeneralStudyModuleAttr.study_instance_uid == study_uid_of(TOSHIBA_RDSR))).one()
    assert toshiba.modality_type == "CT"
    assert toshiba.total_dlp == pytest.approx(reference_dlp())
    # The worker's task history names the query as the source of each import.
    from app.models.tasks import BackgroundTask
    sources = set(db.session.scalars(select(BackgroundTask.source)
                                     .where(BackgroundTask.task_type == "import_spooled")))
    assert sources == {f"query {query.id} from PACS"}


def reference_dlp():
    """The Toshiba report's total DLP, read by Kerma's own import of the file."""
    from app.extractors.dispatch import extract
    record = extract(dcmread(DICOM / TOSHIBA_RDSR))
    return record["ctradiationdose_set"][0]["ctaccumulateddosedata_set"][0][
        "ct_dose_length_product_total"]


def test_move_sends_to_the_listener(app, ctx, moving_pacs, listener, worker):
    worker(2)
    query = run(add_node(moving_pacs, method="move"))
    assert query.status == QR_DONE, query.message
    counts = wait_imported(query, 4)
    assert counts["retrieved"] == 4
    assert listener.scp.counters.stored == 4
    assert study_uid_of(MG_IMAGE) in imported_study_uids()


def test_move_to_a_destination_the_node_does_not_know_fails_clearly(app, ctx, pacs):
    app.config["QR_MOVE_DESTINATION"] = "NOBODY"
    query = run(add_node(pacs, method="move"))
    assert query.status == QR_FAILED
    assert query.message == ("PACS does not know the move destination NOBODY: add Kerma's "
                             "listener (NOBODY) to its nodes")


def test_an_object_whose_import_fails_is_counted_failed_and_quarantined(app, ctx, tmp_path,
                                                                        corpus, worker):
    # An Enhanced SR that is a radiology report: its SOP class is a dose report's, so the
    # query takes it; the import rejects it.
    archive = DcmQrScp(tmp_path / "pacs3").start()
    try:
        archive.load(DICOM / "ESR_non-dose.dcm")
        worker(1)
        query = run(add_node(archive), date_from=date(1990, 1, 1), date_to=date(2030, 1, 1))
    finally:
        archive.stop()
    assert query.status == QR_DONE
    assert wanted_uids(query) == {uid_of("ESR_non-dose.dcm")}

    def failed():
        db.session.rollback()
        return queries.progress(query)["failed"] == 1
    wait_until(failed, timeout=30, message="the failed import")
    row = db.session.scalars(select(QrObject).where(QrObject.query_id == query.id)).one()
    assert row.status == "failed" and row.message
    entries = Spool.for_app(app).quarantined()
    assert [e.details.get("sop_instance_uid") for e in entries] == [uid_of("ESR_non-dose.dcm")]
    assert entries[0].status == "rejected"


def test_a_node_that_stops_answering_while_finding_is_asked_again(app, ctx, pacs, worker,
                                                                   monkeypatch, caplog):
    """A reply lost on an open association (seen with dcmqrscp on a loaded machine) costs
    one more round of finding on a new association, not the query."""
    answer = nodes.c_find
    calls = []

    def lose_one_reply(assoc, level, keys, address):
        calls.append(level)
        if level == "SERIES" and calls.count("SERIES") == 1:
            raise nodes.NoAnswer(f"{address.ae_title} stopped answering a series query")
        return answer(assoc, level, keys, address)

    monkeypatch.setattr(nodes, "c_find", lose_one_reply)
    worker(2)
    query = run(add_node(pacs))
    assert query.status == QR_DONE
    assert calls.count("STUDY") == 2  # finding started again from the studies
    assert "stopped answering a series query; finding again" in caplog.text
    wait_imported(query, 4)  # as a query that lost nothing imports


def test_moving_to_a_listener_that_is_not_running_says_so(app, ctx, pacs):
    query = run(add_node(pacs, method="move"), modalities="MG")
    assert query.status == QR_DONE
    counts = queries.progress(query)
    assert counts["missing"] == 2 and counts["retrieved"] == 0
    assert query.message.endswith("2 not delivered by the node (is Kerma's listener running, "
                                  "and does the node know KERMA's address?)")


def test_a_second_run_retrieves_nothing_again(app, ctx, pacs, worker):
    worker(2)
    node = add_node(pacs)
    first = run(node)
    wait_imported(first, 4)
    second = run(node)
    assert second.status == QR_DONE
    assert wanted_uids(second) == set()
    # Three by SOP Instance UID; the dose screen's study is stored with events of its own,
    # which Kerma's import treats like a report's, so its series is not looked into at all.
    assert second.objects_skipped == 3
    assert second.series_kept == 0
    # Retrieved but not yet imported counts as had, too.
    db.session.execute(QrObject.__table__.update().where(QrObject.query_id == first.id)
                       .values(status=RETRIEVED))
    db.session.commit()
    assert wanted_uids(run(node)) == set()


def test_image_headers_of_a_study_with_a_stored_report_are_skipped(app, ctx, tmp_path, corpus):
    # The report came by another way; the archive holds a dose screen of the same study.
    ds = dcmread(DICOM / PHILIPS_SC)
    toshiba = dcmread(DICOM / TOSHIBA_RDSR, stop_before_pixels=True)
    ds.StudyInstanceUID, ds.StudyDate = toshiba.StudyInstanceUID, toshiba.StudyDate
    ds.SeriesInstanceUID = generate_uid()
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    screen = tmp_path / "screen.dcm"
    ds.save_as(screen)
    archive = DcmQrScp(tmp_path / "pacs2").start()
    try:
        archive.load(screen)
        node = add_node(archive)
        before = run(node)
        assert wanted_uids(before) == {str(ds.SOPInstanceUID)}
        assert import_file(DICOM / TOSHIBA_RDSR).status == "imported"
        after = run(node)
        assert wanted_uids(after) == set()
        assert after.studies_kept == 1 and after.series_kept == 0
    finally:
        archive.stop()


# Interruptions and failures ----------------------------------------------------------------
class Killed(BaseException):
    """Stands for the process dying: nothing in Kerma catches it."""


def test_an_interrupted_query_resumes_without_retrieving_twice(app, ctx, pacs, worker, monkeypatch):
    node = add_node(pacs)
    asked = []
    real_retrieve = nodes.retrieve

    def dying_after_two(assoc, method, level, keys, *args, **kwargs):
        if len(asked) == 2:
            raise Killed()
        asked.append(keys.get("SOPInstanceUID") or keys["SeriesInstanceUID"])
        return real_retrieve(assoc, method, level, keys, *args, **kwargs)

    monkeypatch.setattr(nodes, "retrieve", dying_after_two)
    query = queries.create_query(node, **WIDE)
    db.session.commit()
    with pytest.raises(Killed):
        queries.run_query(query.id)
    db.session.rollback()
    db.session.expire_all()
    query = db.session.get(QrQuery, query.id)
    assert (query.status, query.stage) == (QR_RUNNING, RETRIEVING)
    assert queries.progress(query)[WANTED] == 2
    # Not yet stale: a running query is left alone.
    assert queries.resume_interrupted() == []
    monkeypatch.setattr(nodes, "retrieve", real_retrieve)
    retrieved_before = set(asked)
    resumed_asks = []

    def recording(assoc, method, level, keys, *args, **kwargs):
        resumed_asks.append(keys.get("SOPInstanceUID") or keys["SeriesInstanceUID"])
        return real_retrieve(assoc, method, level, keys, *args, **kwargs)

    monkeypatch.setattr(nodes, "retrieve", recording)
    query.heartbeat = utcnow() - timedelta(minutes=10)
    db.session.commit()
    worker(2)  # the worker's start resumes it
    wait_until(lambda: status_of(query.id) == QR_DONE, timeout=30,
               message="the resumed query")
    assert len(resumed_asks) == 2 and not set(resumed_asks) & retrieved_before
    query = db.session.get(QrQuery, query.id)
    wait_imported(query, 4)


def test_a_killed_query_command_is_resumed_by_the_worker(app, ctx, tmp_path, corpus,
                                                        database_url, worker):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(60):
        ds = dcmread(DICOM / TOSHIBA_RDSR)
        ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.save_as(folder / f"{number:03d}.dcm")
    archive = DcmQrScp(tmp_path / "pacs4").start()
    try:
        archive.load(folder)
        add_node(archive)
        env = dict(os.environ, KERMA_DATABASE_URL=database_url, KERMA_SECRET_KEY="x",
                   KERMA_SPOOL_DIR=app.config["SPOOL_DIR"],
                   KERMA_HUEY_SQLITE_PATH=app.config["HUEY_SQLITE_PATH"])
        command = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "qr", "query", "PACS",
             "--date-from", "2016-12-06", "--date-to", "2016-12-06"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def some_retrieved():
            db.session.rollback()
            query = db.session.scalars(select(QrQuery)).first()
            return query is not None and queries.progress(query)["retrieved"] >= 3

        try:
            wait_until(some_retrieved, timeout=60, message="the first objects retrieved")
        finally:
            command.kill()
            command.wait()
        db.session.rollback()
        query = db.session.scalars(select(QrQuery)).one()
        assert (query.status, query.stage) == (QR_RUNNING, RETRIEVING)
        assert 3 <= queries.progress(query)["retrieved"] < 60
        # As after QR_INTERRUPTED_AFTER seconds of silence.
        query.heartbeat = utcnow() - timedelta(minutes=10)
        db.session.commit()
        worker(2)
        wait_until(lambda: status_of(query.id) == QR_DONE, timeout=60,
                   message="the resumed query")
    finally:
        archive.stop()
    query = db.session.get(QrQuery, query.id)
    wait_imported(query, 60)
    # At most the request in flight at the kill is asked for again; its import is a duplicate.
    assert db.session.scalar(select(func.count()).select_from(GeneralStudyModuleAttr)) == 60
    assert Spool.for_app(app).counts() == {"waiting": 0, "working": 0, "quarantined": 0}


def test_a_refused_association_fails_the_query_and_nothing_is_imported(app, ctx, pacs):
    node = add_node(pacs, ae_title="WRONG_AE")
    query = run(node)
    assert query.status == QR_FAILED
    # dcmqrscp sometimes closes the connection before its rejection is read.
    assert query.message in (
        f"WRONG_AE at 127.0.0.1 port {pacs.port} rejected the association "
        "(called AE title not recognised; calling AE title KERMA)",
        f"WRONG_AE at 127.0.0.1 port {pacs.port} closed the connection without answering "
        "(does it know the calling AE title KERMA, and is WRONG_AE its own?)")
    assert wanted_uids(query) == set()
    assert Spool.for_app(app).counts() == {"waiting": 0, "working": 0, "quarantined": 0}
    result = nodes.echo(node)
    assert not result.ok and node.echo_ok is False
    assert node.echo_message.startswith(f"WRONG_AE at 127.0.0.1 port {pacs.port} ")


def test_a_node_that_never_answers_times_out(app, ctx):
    app.config["QR_TIMEOUT"] = 0.5
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    port = silent.getsockname()[1]
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True)
    thread.start()
    try:
        node = RemoteNode(name="SILENT", ae_title="SILENT", host="127.0.0.1", port=port,
                          retrieve_method="get")
        db.session.add(node)
        db.session.commit()
        query = run(node)
    finally:
        silent.close()
    assert query.status == QR_FAILED
    assert query.message == f"SILENT at 127.0.0.1 port {port} did not answer within 0.5 s"
    assert wanted_uids(query) == set()


def test_a_closed_port_is_reported_as_refused(app, ctx):
    port = free_port()
    node = RemoteNode(name="GONE", ae_title="GONE", host="127.0.0.1", port=port,
                      retrieve_method="move")
    db.session.add(node)
    db.session.commit()
    result = nodes.echo(node)
    assert not result.ok
    assert result.message == (f"GONE at 127.0.0.1 port {port} refused the connection "
                              "(nothing listens on that port?)")


def test_a_failed_query_can_be_retried_and_carries_on(app, ctx, pacs):
    node = add_node(pacs, ae_title="WRONG_AE")
    query = run(node)
    assert query.status == QR_FAILED
    node.ae_title = pacs.ae_title
    db.session.commit()
    again = queries.run_query(query.id)
    assert again.status == QR_DONE
    assert len(wanted_uids(again)) == 4


# Schedules ---------------------------------------------------------------------------------
def test_due_window():
    schedule = QrSchedule(run_at="01:30", enabled=True, last_day_done=None)
    assert schedules.due_window(schedule, datetime(2024, 3, 10, 1, 29)) == (
        date(2024, 3, 8), date(2024, 3, 8))
    assert schedules.due_window(schedule, datetime(2024, 3, 10, 1, 30)) == (
        date(2024, 3, 9), date(2024, 3, 9))
    schedule.last_day_done = date(2024, 3, 9)
    assert schedules.due_window(schedule, datetime(2024, 3, 10, 23, 0)) is None
    # Down for three days: the next run catches them up.
    schedule.last_day_done = date(2024, 3, 6)
    assert schedules.due_window(schedule, datetime(2024, 3, 10, 2, 0)) == (
        date(2024, 3, 7), date(2024, 3, 9))
    schedule.enabled = False
    assert schedules.due_window(schedule, datetime(2024, 3, 10, 2, 0)) is None


def test_a_schedule_catches_up_and_remembers_the_last_day(app, ctx, pacs):
    node = add_node(pacs)
    schedule = QrSchedule(name="nightly", node=node, run_at="01:00", enabled=True,
                          modalities="CT", last_day_done=date(2016, 12, 3))
    db.session.add(schedule)
    db.session.commit()
    ran = schedules.run_due(now=datetime(2016, 12, 7, 2, 0))
    assert [(q.date_from, q.date_to, q.status) for q in ran] == [
        (date(2016, 12, 4), date(2016, 12, 6), QR_DONE)]
    assert wanted_uids(ran[0]) == {uid_of(TOSHIBA_RDSR)}
    db.session.refresh(schedule)
    assert schedule.last_day_done == date(2016, 12, 6)
    assert schedules.run_due(now=datetime(2016, 12, 7, 23, 0)) == []


def test_a_failed_scheduled_query_does_not_advance_the_schedule(app, ctx, pacs):
    node = add_node(pacs, ae_title="WRONG_AE")
    schedule = QrSchedule(name="nightly", node=node, run_at="01:00", enabled=True,
                          last_day_done=date(2016, 12, 5))
    db.session.add(schedule)
    db.session.commit()
    ran = schedules.run_due(now=datetime(2016, 12, 7, 2, 0))
    assert [q.status for q in ran] == [QR_FAILED]
    db.session.refresh(schedule)
    assert schedule.last_day_done == date(2016, 12, 5)
    # Not due again until QR_RETRY_MINUTES after the failure.
    assert schedules.start_due(now=datetime(2016, 12, 7, 2, 1), queue=False) == []
    app.config["QR_RETRY_MINUTES"] = 0
    node.ae_title = pacs.ae_title
    db.session.commit()
    ran = schedules.run_due(now=datetime(2016, 12, 7, 2, 2))
    assert [(q.date_from, q.status) for q in ran] == [(date(2016, 12, 6), QR_DONE)]
    db.session.refresh(schedule)
    assert schedule.last_day_done == date(2016, 12, 6)


def test_the_worker_queues_due_schedules(app, ctx, pacs, worker):
    node = add_node(pacs)
    yesterday = date.today() - timedelta(days=1)
    db.session.add(QrSchedule(name="nightly", node=node, run_at="00:00", enabled=True,
                              last_day_done=yesterday - timedelta(days=1)))
    db.session.commit()
    started = schedules.start_due(queue=True)
    assert [(q.date_from, q.date_to, q.status) for q in started] == [
        (yesterday, yesterday, QR_QUEUED)]
    worker(1)
    wait_until(lambda: status_of(started[0].id) == QR_DONE, timeout=30,
               message="the scheduled query")
    schedule = db.session.scalars(select(QrSchedule)).one()
    db.session.refresh(schedule)
    assert schedule.last_day_done == yesterday


# Command line ------------------------------------------------------------------------------
def test_cli(app, ctx, runner, pacs):
    result = runner.invoke(args=["qr", "node", "add", "ARCHIVE", "--ae-title", "PACS",
                                 "--host", "127.0.0.1", "--port", str(pacs.port),
                                 "--method", "get"])
    assert result.exit_code == 0, result.output
    node = db.session.scalars(select(RemoteNode)).one()
    assert (node.name, node.ae_title, node.port, node.retrieve_method) == (
        "ARCHIVE", "PACS", pacs.port, "get")
    assert runner.invoke(args=["qr", "node", "echo", "ARCHIVE"]).exit_code == 0
    db.session.refresh(node)
    assert node.echo_ok is True
    assert "ARCHIVE\tPACS\t127.0.0.1:" in runner.invoke(args=["qr", "node", "list"]).output
    result = runner.invoke(args=["qr", "query", "ARCHIVE", "--date-from", "2010-01-01",
                                 "--date-to", "2023-12-31", "--modality", "CT",
                                 "--modality", "MG", "--description-exclude", "thorax"])
    assert result.exit_code == 0, result.output
    query = db.session.scalars(select(QrQuery)).one()
    assert query.modalities == "CT,MG" and query.status == QR_DONE
    assert wanted_uids(query) == {uid_of(TOSHIBA_RDSR), uid_of(MG_IMAGE)}
    result = runner.invoke(args=["qr", "schedule", "add", "nightly", "--node", "ARCHIVE",
                                 "--at", "02:30", "--modality", "CT"])
    assert result.exit_code == 0, result.output
    schedule = db.session.scalars(select(QrSchedule)).one()
    assert (schedule.run_at, schedule.modalities, schedule.last_day_done) == ("02:30", "CT", None)
    assert "nightly\tARCHIVE\t02:30\tenabled" in runner.invoke(
        args=["qr", "schedule", "list"]).output
    result = runner.invoke(args=["qr", "schedule", "run-due"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(QrQuery)) == 2
    assert runner.invoke(args=["qr", "schedule", "add", "bad", "--node", "ARCHIVE",
                               "--at", "25:00"]).exit_code != 0
    assert runner.invoke(args=["qr", "node", "remove", "ARCHIVE"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(RemoteNode)) == 0
    assert db.session.scalar(select(func.count()).select_from(QrQuery)) == 0


# Pages -------------------------------------------------------------------------------------
def test_pages(app, client, login_as, pacs):
    user = login_as("view", "admin", "importqr")
    response = client.post("/admin/dicom/nodes", data={
        "name": "ARCHIVE", "ae_title": "PACS", "host": "127.0.0.1", "port": pacs.port,
        "retrieve_method": "get"})
    assert response.status_code == 302
    with app.app_context():
        node_id = db.session.scalars(select(RemoteNode.id)).one()
    page = client.get("/admin/dicom/nodes").get_data(as_text=True)
    assert "ARCHIVE" in page and "never echoed" in page
    fragment = client.post(f"/admin/dicom/nodes/{node_id}/echo",
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "answers" in fragment and "PACS answered the echo" in fragment
    assert "<html" not in fragment
    response = client.post("/admin/dicom/queries", data={
        "node": node_id, "date_from": "2016-12-06", "date_to": "2016-12-06",
        "modalities": ["CT"], "description_include": "", "description_exclude": "",
        "station_include": "", "station_exclude": ""})
    assert response.status_code == 302
    with app.app_context():
        query = db.session.scalars(select(QrQuery)).one()
        assert (query.status, query.modalities, query.requested_by) == (
            QR_QUEUED, "CT", user.username)
        query_id = query.id
        queries.run_query(query_id)
    page = client.get(f"/admin/dicom/queries/{query_id}").get_data(as_text=True)
    assert uid_of(TOSHIBA_RDSR) in page and "dose report" in page
    fragment = client.get(f"/admin/dicom/queries/{query_id}",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.startswith('<div id="qr-progress"')
    listing = client.get("/admin/dicom/queries").get_data(as_text=True)
    assert f'href="/admin/dicom/queries/{query_id}"' in listing
    response = client.post("/admin/dicom/schedules", data={
        "name": "nightly", "node": node_id, "run_at": "03:15", "modalities": ["CT", "MG"]})
    assert response.status_code == 302
    with app.app_context():
        schedule = db.session.scalars(select(QrSchedule)).one()
        assert (schedule.run_at, schedule.modalities) == ("03:15", "CT,MG")
        schedule_id = schedule.id
    client.post(f"/admin/dicom/schedules/{schedule_id}/toggle")
    with app.app_context():
        assert db.session.get(QrSchedule, schedule_id).enabled is False
    assert "paused" in client.get("/admin/dicom/schedules").get_data(as_text=True)
    client.post(f"/admin/dicom/schedules/{schedule_id}/delete")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QrSchedule)) == 0


def test_a_bad_node_form_is_shown_again(app, client, login_as):
    login_as("view", "admin", "importqr")
    response = client.post("/admin/dicom/nodes", data={
        "name": "X", "ae_title": "A" * 17, "host": "127.0.0.1", "port": 104,
        "retrieve_method": "move"})
    assert response.status_code == 400
    assert "at most 16 characters" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RemoteNode)) == 0
