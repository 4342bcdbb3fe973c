"""The DICOM listener over real associations: dcmtk's echoscu/storescu and pynetdicom as senders.

The listener runs in this process on a free loopback port; the worker runs in-process
(threads), and, for the crash test, as a ``flask worker`` process that is killed with SIGKILL.
"""
import copy
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.uid import (CTImageStorage, DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian,
                         ImplicitVRLittleEndian, generate_uid)
from pynetdicom import AE
from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.dsutils import encode
from pynetdicom.sop_class import Verification
from sqlalchemy import func, select

from app.extensions import db
from app.models.network import DicomKeepSettings, DicomStoreSettings
from app.models.study import GeneralStudyModuleAttr, ObjectUIDsProcessed
from app.models.tasks import FINISHED, BackgroundTask
from app.network.listener import Listener
from app.spool import Spool
from app.tasks.queue import get_queue
from background import queue_config, wait_until
from conformance import CORPUS
from dicom_builders import image_dataset

pytestmark = pytest.mark.network

REPO = Path(__file__).resolve().parents[1]
CORPUS_DICOM = CORPUS / "dicom"
CT_REPORT = "CT-RDSR-ToshibaPixelMed.dcm"
XRAY_DOSE_SR = "1.2.840.10008.5.1.4.1.1.88.67"
IRRADIATION_EVENT_UID = "113769"

# In CI a missing dcmtk is an error, not a skip.
needs_dcmtk = pytest.mark.skipif(
    not (shutil.which("storescu") and shutil.which("echoscu")) and not os.environ.get("CI"),
    reason="dcmtk (storescu, echoscu) is not installed")


@pytest.fixture
def app_config(tmp_path):
    # Port 0: the listener takes a free port, read back from listener.port.
    return {**queue_config(tmp_path), "DICOM_PORT": 0, "DICOM_BIND": "127.0.0.1",
            "DICOM_AE_TITLE": "KERMA"}


@pytest.fixture
def corpus():
    if not CORPUS_DICOM.is_dir():
        pytest.skip(f"the DICOM corpus is not at {CORPUS_DICOM}")
    return CORPUS_DICOM


@pytest.fixture
def listener(app):
    listener = Listener(app)
    listener.start()
    yield listener
    listener.stop()


@pytest.fixture
def spool(app):
    return Spool.for_app(app)


# Helpers ---------------------------------------------------------------------------------
def _dcmtk(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=30)


def _associate(port, calling="TESTSCU", called="KERMA", contexts=((XRAY_DOSE_SR, None),)):
    ae = AE(ae_title=calling)
    for sop_class, syntaxes in contexts:
        ae.add_requested_context(sop_class, syntaxes or [ExplicitVRLittleEndian,
                                                         ImplicitVRLittleEndian])
    return ae.associate("127.0.0.1", port, ae_title=called)


# A-ASSOCIATE-RJ reasons from the service user (PS3.8 section 9.3.4).
NO_REASON_GIVEN, CALLING_AE_NOT_RECOGNISED, CALLED_AE_NOT_RECOGNISED = 1, 3, 7


def _rejection(assoc):
    """(result, source, reason) of the A-ASSOCIATE-RJ an association request received."""
    primitive = assoc.acceptor.primitive
    return primitive.result, primitive.result_source, primitive.diagnostic


def _send(port, items, calling="TESTSCU"):
    """Send files or datasets over one association; the C-STORE statuses in order."""
    contexts = {}
    for item in items:
        meta = item.file_meta if hasattr(item, "file_meta") else dcmread(item, stop_before_pixels=True).file_meta
        contexts.setdefault(meta.MediaStorageSOPClassUID, set()).add(meta.TransferSyntaxUID)
    assoc = _associate(port, calling, contexts=[(c, sorted(s)) for c, s in contexts.items()])
    assert assoc.is_established
    try:
        return [assoc.send_c_store(item).Status for item in items]
    finally:
        assoc.release()


def _finished_tasks(app):
    with app.app_context():
        return db.session.scalars(
            select(BackgroundTask).where(BackgroundTask.status.in_(FINISHED))
            .order_by(BackgroundTask.id)).all()


def _count(app, model, column=None):
    with app.app_context():
        return db.session.scalar(select(func.count(column)).select_from(model))


def _study(app, study_uid):
    with app.app_context():
        return db.session.scalars(select(GeneralStudyModuleAttr).where(
            GeneralStudyModuleAttr.study_instance_uid == study_uid)).first()


def fresh_copies(path, count):
    """Copies of a dose report with new study, series, SOP instance and irradiation event UIDs."""
    template = dcmread(path)
    for _ in range(count):
        ds = copy.deepcopy(template)
        ds.StudyInstanceUID = generate_uid()
        ds.SeriesInstanceUID = generate_uid()
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        _renew_event_uids(ds)
        yield ds


def _renew_event_uids(item):
    for child in item.get("ContentSequence", ()):
        concept = child.get("ConceptNameCodeSequence")
        if child.get("ValueType") == "UIDREF" and concept and concept[0].CodeValue == IRRADIATION_EVENT_UID:
            child.UID = generate_uid()
        _renew_event_uids(child)


# Verification and dcmtk ------------------------------------------------------------------
@needs_dcmtk
def test_echoscu_is_answered(listener):
    result = _dcmtk("echoscu", "-aec", "KERMA", "127.0.0.1", str(listener.port))
    assert result.returncode == 0, result.stderr


@needs_dcmtk
def test_storescu_sends_a_ct_report_that_is_imported(app, listener, worker, spool, corpus):
    with app.app_context():
        db.session.add(DicomKeepSettings(keep_rdsr=True))
        db.session.commit()
    worker(2)
    source = dcmread(corpus / CT_REPORT, stop_before_pixels=True)

    result = _dcmtk("storescu", "-aet", "CT_SCANNER", "-aec", "KERMA", "127.0.0.1",
                    str(listener.port), str(corpus / CT_REPORT))

    assert result.returncode == 0, result.stderr
    study = wait_until(lambda: _study(app, source.StudyInstanceUID), message="the study")
    assert (study.modality_type, study.accession_number, study.number_of_events) == ("CT", "4935683", 3)
    assert float(study.total_dlp) == pytest.approx(349.7)
    [task] = wait_until(lambda: _finished_tasks(app), message="the task row")
    assert (task.status, task.source) == ("done", "CT_SCANNER at 127.0.0.1")
    # The kept file is the object as sent, with the sender's AE title in its file meta.
    [kept] = (spool.kept / "rdsr").iterdir()
    received = dcmread(kept)
    assert received.file_meta.SourceApplicationEntityTitle == "CT_SCANNER"
    assert received.SOPInstanceUID == source.SOPInstanceUID
    assert spool.counts() == {"waiting": 0, "working": 0, "quarantined": 0}


# Every kind of object Kerma imports, over one association --------------------------------
KINDS = {
    "CT-RDSR-ToshibaPixelMed.dcm": "CT",        # X-Ray Radiation Dose SR
    "CT-ESR-GE_VCT.dcm": "CT",                  # Enhanced SR (GE dose report)
    "NM-RRDSR-Siemens.dcm": "NM",               # Radiopharmaceutical Radiation Dose SR
    "MG-Im-GE_Seno_1_ForPresentation.dcm": "MG",  # Digital Mammography, for presentation
    "MG-Im-GE-SenDS-scaled.dcm": "MG",          # Digital Mammography, for processing
    "MG-Im-Hologic-PropProj.dcm": "MG",         # Secondary Capture (Hologic projection)
    "DX-Im-GE_XR220-1.dcm": "DX",               # Digital X-Ray, for processing
    "DX-Im-Carestream_DRX.dcm": "CR",           # Computed Radiography
    "CT-SC-Philips_Brilliance16P.dcm": "CT",    # Secondary Capture (Philips dose screen)
    "NM-NmIm-Siemens.dcm": "NM",                # Nuclear Medicine image
    "NM-PetIm-GE.dcm": "NM",                    # PET image
}


def test_every_kind_kerma_imports_is_received_and_imported(app, listener, worker, spool, corpus):
    worker(2)
    files = [corpus / name for name in KINDS] + [corpus / "ESR_non-dose.dcm"]

    statuses = _send(listener.port, files, calling="MODALITY")

    assert statuses == [0x0000] * len(files)
    tasks = wait_until(lambda: len(_finished_tasks(app)) == len(files) and _finished_tasks(app),
                       timeout=20, message="every import")
    by_file = {}
    for task in tasks:
        by_file[task.subject] = task
    assert sorted(t.status for t in tasks) == ["done"] * len(KINDS) + ["failed"]
    for name, modality in KINDS.items():
        study_uid = dcmread(corpus / name, stop_before_pixels=True).StudyInstanceUID
        study = _study(app, study_uid)
        assert study is not None, name
        assert study.modality_type == modality, name
    # The non-dose Enhanced SR is quarantined with its reason; nothing was stored for it.
    [entry] = spool.quarantined()
    assert entry.status == "rejected"
    assert entry.reason == ("it is a Enhanced SR titled 'Diagnostic Imaging Report', "
                            "not a radiation dose report")
    assert entry.details["calling_ae_title"] == "MODALITY"
    assert entry.details["sop_class_uid"] == "1.2.840.10008.5.1.4.1.1.88.22"
    assert "moved to quarantine" in by_file[entry.name].message
    assert _count(app, GeneralStudyModuleAttr) == len(KINDS)
    assert spool.counts() == {"waiting": 0, "working": 0, "quarantined": 1}


def test_deflated_and_implicit_transfer_syntaxes_are_stored_and_imported(app, listener, worker, corpus):
    worker(2)
    deflated, implicit = fresh_copies(corpus / CT_REPORT, 2)
    statuses = []
    for ds, syntax in ((deflated, DeflatedExplicitVRLittleEndian), (implicit, ImplicitVRLittleEndian)):
        assoc = _associate(listener.port, contexts=[(XRAY_DOSE_SR, [syntax])])
        assert assoc.accepted_contexts[0].transfer_syntax[0] == syntax
        statuses.append(assoc.send_c_store(ds).Status)
        assoc.release()

    assert statuses == [0x0000, 0x0000]
    for ds in (deflated, implicit):
        study = wait_until(lambda: _study(app, ds.StudyInstanceUID), message="the study")
        assert float(study.total_dlp) == pytest.approx(349.7)


# Refusals --------------------------------------------------------------------------------
def test_a_class_kerma_does_not_import_is_refused(listener, spool, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="kerma.dicom")
    ct_image = image_dataset(CTImageStorage, "CT")
    assoc = _associate(listener.port, contexts=[(XRAY_DOSE_SR, None), (CTImageStorage, None)])
    try:
        # Negotiation rejects the CT Image context: abstract syntax not supported (3).
        [refused] = assoc.rejected_contexts
        assert (refused.abstract_syntax, refused.result) == (CTImageStorage, 0x03)
        with pytest.raises(ValueError, match="No presentation context for 'CT Image Storage'"):
            assoc.send_c_store(ct_image)
        # A C-STORE of that class slipped onto the accepted dose report context gets 0x0122.
        # pynetdicom offers no public way to do this: pause its reactor as send_c_store does.
        request = C_STORE()
        request.MessageID, request.Priority = 7, 2
        request.AffectedSOPClassUID = CTImageStorage
        request.AffectedSOPInstanceUID = ct_image.SOPInstanceUID
        request.DataSet = BytesIO(encode(ct_image, False, True))
        assoc._reactor_checkpoint.clear()
        while not assoc._is_paused:
            time.sleep(0.001)
        assoc.dimse.send_msg(request, assoc.accepted_contexts[0].context_id)
        _, response = assoc.dimse.get_msg(block=True)
        assoc._reactor_checkpoint.set()
        assert response.Status == 0x0122
    finally:
        assoc.release()
    assert spool.counts() == {"waiting": 0, "working": 0, "quarantined": 0}
    assert "refused a C-STORE of 1.2.840.10008.5.1.4.1.1.2 (CT Image Storage) from TESTSCU" in caplog.text
    assert "refused 1 presentation context(s) from TESTSCU: CT Image Storage" in caplog.text



@needs_dcmtk
def test_associations_from_peers_that_are_not_allowed_are_rejected(app, listener, caplog):
    port = str(listener.port)
    with app.app_context():
        db.session.add(DicomStoreSettings(allowed_ae_titles="CT01\nMG02"))
        db.session.commit()
    listener.poll()  # what the running listener does every few seconds

    # What Kerma answers is read from the A-ASSOCIATE-RJ that pynetdicom's requestor receives:
    # rejected permanent (1), by the service user (1), for the reason PS3.8 9.3.4 gives.
    intruder = _associate(listener.port, calling="INTRUDER", contexts=[(Verification, None)])
    assert intruder.is_rejected
    assert _rejection(intruder) == (1, 1, CALLING_AE_NOT_RECOGNISED)
    # dcmtk, an independent implementation, is admitted once its AE title is allowed.
    assert _dcmtk("echoscu", "-aet", "CT01", "-aec", "KERMA", "127.0.0.1", port).returncode == 0
    # A sender addressing another AE title is refused too.
    wrong_called = _associate(listener.port, calling="CT01", called="PACS",
                              contexts=[(Verification, None)])
    assert wrong_called.is_rejected
    assert _rejection(wrong_called) == (1, 1, CALLED_AE_NOT_RECOGNISED)

    with app.app_context():
        db.session.scalars(select(DicomStoreSettings)).one().allowed_hosts = "10.9.9.0/24"
        db.session.commit()
    listener.poll()
    assoc = _associate(listener.port, calling="CT01", contexts=[(Verification, None)])
    assert assoc.is_rejected
    assert _rejection(assoc) == (1, 1, NO_REASON_GIVEN)

    assert "rejected an association from INTRUDER at 127.0.0.1: its calling AE title is not allowed" in caplog.text
    assert "rejected an association from CT01 at 127.0.0.1: its called AE title is PACS" in caplog.text
    assert "rejected an association from CT01 at 127.0.0.1: its host is not allowed" in caplog.text
    assert listener.scp.counters.rejected_associations == 3


@needs_dcmtk
def test_a_new_port_saved_on_the_settings_page_restarts_the_listener(app, listener):
    with app.app_context():
        db.session.add(DicomStoreSettings(ae_title="DOSE_SCP", port=0))
        db.session.commit()
    old_port = listener.port

    listener.poll()

    assert listener.scp.settings.ae_title == "DOSE_SCP"
    new = _dcmtk("echoscu", "-aec", "DOSE_SCP", "127.0.0.1", str(listener.port))
    assert new.returncode == 0, new.stderr
    if listener.port != old_port:
        stale = _associate(old_port, called="KERMA", contexts=[(Verification, None)])
        assert not stale.is_established


def test_a_port_in_use_keeps_the_listener_where_it_was(app, listener, caplog):
    old_port = listener.port
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with app.app_context():
            db.session.add(DicomStoreSettings(port=busy))
            db.session.commit()
        listener.poll()

    assert listener.port == old_port
    assoc = _associate(old_port, contexts=[(Verification, None)])
    assert assoc.is_established
    assoc.release()
    assert f"cannot listen on 127.0.0.1 port {busy}" in caplog.text


# The commands --------------------------------------------------------------------------
def _flask(app, database_url, *arguments):
    """``flask ARGUMENTS`` in a process of its own, configured like ``app``."""
    env = dict(os.environ)
    env.update({
        "KERMA_DATABASE_URL": database_url,
        "KERMA_SECRET_KEY": "test-secret-key",
        "KERMA_SPOOL_DIR": app.config["SPOOL_DIR"],
        "KERMA_HUEY_SQLITE_PATH": app.config["HUEY_SQLITE_PATH"],
        "KERMA_WORKER_POLL_SECONDS": "0.05",
    })
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *arguments],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_flask_dicom_listen_serves_until_sigterm(app, spool, database_url):
    process = _flask(app, database_url, "dicom", "listen", "--port", "0", "--ae-title", "KERMA_CLI")
    beat = spool.root / "listener.json"
    try:
        wait_until(lambda: beat.exists() or process.poll() is not None, timeout=30,
                   message="the listener's first heartbeat")
        assert process.poll() is None, process.stderr.read().decode()
        port = json.loads(beat.read_text())["port"]
        assoc = _associate(port, called="KERMA_CLI", contexts=[(Verification, None)])
        assert assoc.is_established
        assert assoc.send_c_echo().Status == 0x0000
        assoc.release()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not beat.exists()


# Receiving never waits for importing; a killed worker loses nothing ----------------------
def _worker_process(app, database_url):
    return _flask(app, database_url, "worker", "-w", "1")


def test_a_worker_killed_mid_queue_imports_everything_exactly_once(
        app, listener, worker, spool, corpus, database_url):
    copies = list(fresh_copies(corpus / CT_REPORT, 40))

    # With no worker running, every C-STORE is still answered at once: objects wait in the spool.
    started = time.monotonic()
    statuses = _send(listener.port, copies)
    receiving = time.monotonic() - started
    assert statuses == [0x0000] * 40
    assert receiving < 10
    assert len(spool.waiting()) == 40
    with app.app_context():
        assert get_queue().pending_count() == 40

    process = _worker_process(app, database_url)
    try:
        wait_until(lambda: _count(app, GeneralStudyModuleAttr) >= 5 or process.poll() is not None,
                   timeout=30, interval=0.005, message="the worker process to import a few")
        assert process.poll() is None, process.stderr.read().decode()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    imported_before_restart = _count(app, GeneralStudyModuleAttr)
    assert 5 <= imported_before_restart < 40

    # The worst moment to die: an import committed, its file not yet removed.
    (spool.working / "crashed-after-commit.dcm").write_bytes(_bytes_of(copies[0]))

    worker(2)  # the restarted worker recovers first
    wait_until(lambda: spool.counts() == {"waiting": 0, "working": 0, "quarantined": 0}
               and _count(app, GeneralStudyModuleAttr) == 40
               and len(_finished_tasks(app)) >= 40, timeout=30, message="every import")
    wait_until(lambda: not _running_tasks(app), message="the last task row")

    assert _count(app, GeneralStudyModuleAttr) == 40
    assert _count(app, ObjectUIDsProcessed) == 40
    with app.app_context():
        uids = db.session.scalars(select(GeneralStudyModuleAttr.study_instance_uid)).all()
    assert sorted(uids) == sorted(ds.StudyInstanceUID for ds in copies)
    messages = [t.message for t in _finished_tasks(app)]
    assert "crashed-after-commit.dcm: duplicate (this object was imported before)" in messages


def _bytes_of(ds):
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _running_tasks(app):
    with app.app_context():
        return db.session.scalars(select(BackgroundTask).where(BackgroundTask.status == "running")).all()


def test_a_c_store_is_answered_while_the_task_queue_is_held(app, spool, monkeypatch):
    """The answer waits for the file to be safe in the spool, not for the queue: a queue held
    by another process (the worker, on the queue's SQLite file) must not make senders time
    out. The task follows once the queue is free."""
    import threading

    from app.network import listener as listener_module

    held = threading.Event()
    queued = []

    def slow_queue(path, source=None, record=True, app=None):
        held.wait(timeout=30)
        queued.append(path.name)
        return "task"

    monkeypatch.setattr(listener_module, "import_spooled", slow_queue)
    running = Listener(app)
    running.start()
    try:
        report = _ct_report_dataset()
        started = time.monotonic()
        assert _send(running.port, [report]) == [0x0000]
        assert time.monotonic() - started < 5  # answered while the queue is still held
        assert [p.name for p in spool.waiting()] and queued == []
        held.set()
        wait_until(lambda: queued, message="the import task")
        assert queued == [p.name for p in spool.waiting()]
    finally:
        held.set()
        running.stop()


def _ct_report_dataset():
    from background import ct_report

    ds = ct_report(dlp=5.0)
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds
