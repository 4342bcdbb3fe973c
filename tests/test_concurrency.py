"""Concurrent imports of the same study from several processes leave one study.

Each process builds its own application on the test database, waits at a barrier and then
imports. On PostgreSQL an advisory lock per Study Instance UID serialises the imports of one
study; on SQLite ``BEGIN IMMEDIATE`` takes the database's single write lock before an import
reads what it decides on. Either way the later imports must see the earlier ones: one study,
each object recorded once, no failures.
"""
import multiprocessing
import os

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models.study import GeneralStudyModuleAttr, ObjectUIDsProcessed
from conformance import CORPUS

DICOM = CORPUS / "dicom"
pytestmark = [pytest.mark.skipif(not DICOM.is_dir(), reason=f"corpus not found at {CORPUS}"),
              pytest.mark.slow]

PROCESSES = 4
MULTI = ["CT-RDSR-Siemens-Multi-1.dcm", "CT-RDSR-Siemens-Multi-2.dcm",
         "CT-RDSR-Siemens-Multi-3.dcm"]
MULTI_STUDY_UID = "1.3.6.1.4.1.5962.99.1.792239193.1702185591.1516915727449.3.0"
#: Each process imports the cumulative reports in its own order.
ORDERS = [MULTI, MULTI[::-1], [MULTI[1], MULTI[0], MULTI[2]], [MULTI[2], MULTI[0], MULTI[1]]]


def _import_in_process(database_url, names, barrier, results):
    """Worker: a fresh application on the shared database imports ``names`` in order."""
    from app import create_app
    from app.importing import import_file

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI":
                      database_url})
    with app.app_context():
        db.engine.connect().close()  # connect before the barrier, so all start together
        barrier.wait(timeout=60)
        for name in names:
            outcome = import_file(DICOM / name, source=name)
            results.put((os.getpid(), name, outcome.status, outcome.message))
            db.session.remove()
        db.engine.dispose()


def _run(database_url, orders):
    """Start one process per order; return every (pid, file, status, message)."""
    # Forked workers start at once with everything imported; the parent holds no database
    # connection at this point (each worker opens its own). Spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    barrier = context.Barrier(len(orders))
    results = context.Queue()
    processes = [context.Process(target=_import_in_process,
                                 args=(database_url, order, barrier, results))
                 for order in orders]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in range(sum(len(o) for o in orders))]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return outcomes


def _stored(app):
    with app.app_context():
        studies = db.session.scalars(select(GeneralStudyModuleAttr)).all()
        found = [(s.study_instance_uid, s.number_of_events,
                  sorted(o.sop_instance_uid for o in s.objectuidsprocessed_set))
                 for s in studies]
        processed = db.session.scalar(select(func.count(ObjectUIDsProcessed.id)))
        # The rows were written by other processes: delete them here, so that this test's
        # clean-up (which empties tables it saw written) knows to run.
        db.session.execute(delete(GeneralStudyModuleAttr))
        db.session.commit()
    return found, processed


def _sop_uid(name):
    from app.extractors.lightread import read_dicom

    return str(read_dicom((DICOM / name).read_bytes()).SOPInstanceUID)


@pytest.fixture
def database(app, database_url):
    """The test database's URL, after checking the dialect can take concurrent writers."""
    return database_url


def test_four_processes_importing_the_same_report_store_it_once(app, database):
    outcomes = _run(database, [[MULTI[2]]] * PROCESSES)
    statuses = sorted(status for _, _, status, _ in outcomes)
    assert statuses == ["duplicate"] * (PROCESSES - 1) + ["imported"], outcomes
    assert all(message == "this object was imported before"
               for _, _, status, message in outcomes if status == "duplicate")
    found, processed = _stored(app)
    assert found == [(MULTI_STUDY_UID, 3, [_sop_uid(MULTI[2])])]
    assert processed == 1


def test_cumulative_reports_in_four_orders_make_one_study(app, database):
    outcomes = _run(database, ORDERS)
    assert not [o for o in outcomes if o[2] not in ("imported", "duplicate")], outcomes
    found, processed = _stored(app)
    assert found == [(MULTI_STUDY_UID, 3, sorted(_sop_uid(name) for name in MULTI))]
    assert processed == 3
