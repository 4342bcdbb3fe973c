"""Query-retrieve: find a node's dose objects for a date range and bring them into Kerma.

A query runs in two stages, both recorded in the database so that a run cut short (a
restart, a crash, a node that went away) carries on where it stopped:

1. *finding*: C-FIND at study level for each day of the range (``QR_DAYS_PER_FIND`` days a
   time), then series level for the
   studies the filters keep, then image level for the series that may hold dose objects
   (``selection.py`` decides). Objects Kerma already has (their SOP Instance UID was imported,
   or an earlier query retrieved them) and image headers of studies whose dose report is
   stored are skipped. The objects to retrieve are written as ``QrObject`` rows in one
   transaction with the stage set to ``retrieving``; a query interrupted before that finds
   again from the start.
2. *retrieving*: C-MOVE to Kerma's listener or C-GET, one series (every instance wanted) or
   one instance at a time, for the rows still wanted. Received objects go to the spool and
   the import queue exactly as the listener's do; as each is imported its row turns
   ``imported`` or ``failed`` (``note_import``, called by the import task).

A running query writes a heartbeat; one whose heartbeat is older than
``QR_INTERRUPTED_AFTER`` seconds was interrupted and is queued again (``resume_interrupted``,
called when the worker starts and every minute by it).
"""
import logging
import threading
import time
from collections import Counter
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from ..extensions import db
from ..models.auth import utcnow
from ..models.network import (FINDING, GET, IMPORT_FAILED, IMPORTED_OBJECT, MOVE, NOT_DELIVERED,
                              QR_DONE, QR_FAILED, QR_QUEUED, QR_RUNNING, RETRIEVED, RETRIEVING,
                              WANTED, QrObject, QrQuery, QrSchedule, RemoteNode)
from ..models.study import GeneralStudyModuleAttr, ObjectUIDsProcessed
from ..models.tasks import DONE, FAILED
from ..spool import Spool
from ..tasks import background_task
from ..tasks.queue import get_queue
from ..tasks.records import writing
from . import nodes, selection
from .nodes import Address, NodeError

log = logging.getLogger("kerma.qr")

TASK = "qr_query"
#: Objects whose earlier retrieval means they must not be retrieved again.
_HAD = (RETRIEVED, IMPORTED_OBJECT, IMPORT_FAILED)
FILTER_FIELDS = ("modalities", "station_include", "station_exclude", "description_include",
                 "description_exclude")
_UID_BATCH = 500


def create_query(node: RemoteNode, date_from: date, date_to: date, requested_by=None,
                 schedule: QrSchedule | None = None, **filters) -> QrQuery:
    """A new queued query, committed in a write transaction of its own (on SQLite a
    transaction that has read cannot write once the worker has committed an import); a
    ``schedule``'s last query becomes this one in the same transaction."""
    if date_to < date_from:
        raise ValueError("the end of the date range is before its start")
    with writing() as session:
        query = QrQuery(node=node, date_from=date_from, date_to=date_to, status=QR_QUEUED,
                        requested_by=requested_by, schedule_id=schedule.id if schedule else None,
                        **{name: (filters.get(name) or "").strip() for name in FILTER_FIELDS})
        session.add(query)
        session.flush()
        if schedule is not None:
            schedule.last_query_id = query.id
    return query


def queue_query(query: QrQuery) -> str:
    """Put a query's run on the task queue (commits); returns the task id."""
    query.status = QR_QUEUED
    db.session.commit()
    return get_queue().enqueue(TASK, query.id, source=f"query-retrieve from {query.node.name}",
                               subject=f"query {query.id}")


@background_task(TASK, "Query-retrieve")
def run_query_task(query_id: int):
    """Run (or resume) one query-retrieve."""
    query = run_query(query_id)
    if query is None:
        return DONE, f"query {query_id}: nothing to do (running elsewhere, or finished)"
    return (DONE if query.status == QR_DONE else FAILED), f"query {query_id}: {query.message}"


def run_query(query_id: int, report=None) -> QrQuery | None:
    """Run a query to its end in this thread; None when it is not this caller's to run.

    ``report(line)`` hears about progress (the CLI prints it). A query that is queued, failed,
    or running with a stale heartbeat is taken over; one running elsewhere is left alone.
    """
    report = report or (lambda line: None)
    if not _claim(query_id):
        return None
    query = db.session.get(QrQuery, query_id)
    address = Address.of(query.node)
    try:
        if query.stage != RETRIEVING:
            try:
                _find(query, address, report)
            except nodes.NoAnswer as exc:
                # Finding writes nothing until it ends: ask again, on a new association.
                log.warning("query %d on %s: %s; finding again", query_id, address.name, exc)
                report(f"{exc}; finding again")
                _find(query, address, report)
        _retrieve(query, address, report)
    except NodeError as exc:
        db.session.rollback()
        _finish_failed(query_id, str(exc))
        log.warning("query %d on %s failed: %s", query_id, address.name, exc)
        report(f"failed: {exc}")
        return db.session.get(QrQuery, query_id)
    except Exception as exc:
        log.exception("query %d on %s failed", query_id, address.name)
        db.session.rollback()
        _finish_failed(query_id, f"{type(exc).__name__}: {exc}")
        return db.session.get(QrQuery, query_id)
    counts = progress(query)
    with writing():
        query = db.session.get(QrQuery, query_id)
        query.status, query.finished = QR_DONE, utcnow()
        query.message = (f"{query.studies_kept} of {query.studies_found} studies, "
                         f"{query.series_kept} series kept; {counts['retrieved']} object(s) "
                         f"retrieved, {query.objects_skipped} already in Kerma")
        if counts[NOT_DELIVERED]:
            query.message += f", {counts[NOT_DELIVERED]} not delivered by the node"
            if address.method == MOVE:
                query.message += (f" (is Kerma's listener running, and does the node know "
                                  f"{nodes.move_destination()}'s address?)")
        if query.schedule_id:
            schedule = db.session.get(QrSchedule, query.schedule_id)
            if schedule and (schedule.last_day_done is None
                             or schedule.last_day_done < query.date_to):
                schedule.last_day_done = query.date_to
    log.info("query %d on %s done: %s", query_id, address.name, query.message)
    report(query.message)
    return query


def _finish_failed(query_id: int, message: str):
    with writing():
        query = db.session.get(QrQuery, query_id)
        query.status, query.message, query.finished = QR_FAILED, message, utcnow()


def _claim(query_id: int) -> bool:
    """Mark the query running for this caller, unless someone else runs it now."""
    now = utcnow()
    stale = now - timedelta(seconds=_interrupted_after())
    with writing():
        taken = db.session.execute(
            update(QrQuery).where(QrQuery.id == query_id, or_(
            QrQuery.status.in_((QR_QUEUED, QR_FAILED)),
            and_(QrQuery.status == QR_RUNNING,
                 or_(QrQuery.heartbeat.is_(None), QrQuery.heartbeat < stale))))
            .values(status=QR_RUNNING, heartbeat=now,
                    started=func.coalesce(QrQuery.started, now), message=None, finished=None)
            .execution_options(synchronize_session=False)).rowcount
    return bool(taken)


#: Seconds between heartbeats of a running query (far below QR_INTERRUPTED_AFTER).
BEAT_SECONDS = 2.0
_last_beats = {}


def _beat(query_id: int, force: bool = True, **values):
    """Write the heartbeat (and ``values``); unless ``force``, at most every BEAT_SECONDS."""
    now = time.monotonic()
    if not force and now - _last_beats.get(query_id, 0.0) < BEAT_SECONDS:
        return
    _last_beats[query_id] = now
    with writing():
        db.session.execute(update(QrQuery).where(QrQuery.id == query_id)
                           .values(heartbeat=utcnow(), **values)
                           .execution_options(synchronize_session=False))


def _interrupted_after() -> float:
    return float(current_app.config.get("QR_INTERRUPTED_AFTER", 120))


# Finding ---------------------------------------------------------------------------------
def _find(query: QrQuery, address: Address, report):
    """Find the objects to retrieve and store them with the stage set to retrieving."""
    query_id = query.id
    filters = selection.Filters.from_query(query)
    _beat(query_id, stage=FINDING)
    studies_found = studies_kept = series_found = 0
    chosen = []
    with nodes.association(address, [nodes.FIND]) as assoc:
        step = max(1, int(current_app.config.get("QR_DAYS_PER_FIND", 1)))
        day = query.date_from
        while day <= query.date_to:
            last = min(day + timedelta(days=step - 1), query.date_to)
            dates = day.strftime("%Y%m%d")
            if last != day:
                dates += "-" + last.strftime("%Y%m%d")
            studies = [_study(ds) for ds in nodes.c_find(assoc, "STUDY", {
                "StudyDate": dates, "StudyTime": "", "StudyInstanceUID": "",
                "StudyDescription": "", "ModalitiesInStudy": "", "AccessionNumber": ""},
                address)]
            studies = [s for s in studies if s["uid"]]
            studies_found += len(studies)
            for study in studies:
                if selection.study_dropped_by_description(study, filters):
                    continue
                series = _series_of(assoc, study["uid"], address)
                if selection.study_dropped(study, series, filters):
                    continue
                studies_kept += 1
                series_found += len(series)
                candidates = selection.candidate_series(series, _has_stored_report(study["uid"]))
                for candidate in candidates:
                    candidate.instances = _instances(assoc, study["uid"],
                                                     candidate.series["uid"], address)
                choices = selection.choose_objects(candidates)
                chosen += [(study["uid"], c) for c in choices]
                _beat(query_id, force=False)
            report(f"{dates}: {studies_found} studies found so far, "
                   f"{len(chosen)} object(s) chosen")
            day = last + timedelta(days=1)
    have = _already_had({c.instance["uid"] for _, c in chosen})
    seen = set()
    skipped = 0
    with writing():
        for study_uid, choice in chosen:
            uid = choice.instance["uid"]
            if uid in have or uid in seen:
                skipped += 1
                continue
            seen.add(uid)
            db.session.add(QrObject(
                query_id=query_id, study_instance_uid=study_uid,
                series_instance_uid=choice.series["uid"], sop_instance_uid=uid,
                modality=choice.series.get("modality"), reason=choice.reason,
                series_complete=choice.whole_series, status=WANTED))
        query = db.session.get(QrQuery, query_id)
        query.studies_found, query.studies_kept = studies_found, studies_kept
        query.series_found = series_found
        # Series with something left to retrieve, once what Kerma has is left out.
        query.series_kept = len({c.series["uid"] for _, c in chosen
                                 if c.instance["uid"] in seen})
        query.objects_skipped = skipped
        query.stage, query.heartbeat = RETRIEVING, utcnow()
    report(f"found {studies_found} studies, kept {studies_kept}; {query.series_kept} series, "
           f"{len(seen)} object(s) to retrieve, {skipped} already in Kerma")


def _series_of(assoc, study_uid: str, address: Address) -> list[dict]:
    """The series of a study, asked for again once if the node listed none (as below)."""
    keys = {"StudyInstanceUID": study_uid, "SeriesInstanceUID": "", "Modality": "",
            "SeriesDescription": "", "StationName": "", "NumberOfSeriesRelatedInstances": "",
            "SeriesNumber": ""}
    for attempt in range(2):
        found = [_series(ds) for ds in nodes.c_find(assoc, "SERIES", keys, address)]
        found = [s for s in found if s["uid"]]
        if found:
            return found
    return []


def _instances(assoc, study_uid: str, series_uid: str, address: Address) -> list[dict]:
    """The instances of a series the node listed, asked for again once if it listed none.

    A series found at series level has instances: an empty answer is the node's slip (dcmtk's
    dcmqrscp gives about one in three hundred), and asking again costs one round trip.
    """
    keys = {"StudyInstanceUID": study_uid, "SeriesInstanceUID": series_uid,
            "SOPInstanceUID": "", "SOPClassUID": "", "InstanceNumber": ""}
    for attempt in range(2):
        found = [_instance(ds) for ds in nodes.c_find(assoc, "IMAGE", keys, address)]
        found = [i for i in found if i["uid"]]
        if found:
            return found
    log.warning("%s listed no instance of series %s (study %s), asked twice", address.name,
                series_uid, study_uid)
    return []


def _text(ds, keyword):
    value = ds.get(keyword)
    if value is None or value == "":
        return None
    return str(value).strip() or None


def _study(ds) -> dict:
    modalities = ds.get("ModalitiesInStudy")
    if modalities is not None and not isinstance(modalities, str):
        modalities = [str(m) for m in modalities]
    elif modalities:
        modalities = [str(modalities)]
    return {"uid": _text(ds, "StudyInstanceUID"), "description": _text(ds, "StudyDescription"),
            "modalities": modalities or None, "date": _text(ds, "StudyDate")}


def _series(ds) -> dict:
    count = _text(ds, "NumberOfSeriesRelatedInstances")
    return {"uid": _text(ds, "SeriesInstanceUID"), "modality": _text(ds, "Modality"),
            "description": _text(ds, "SeriesDescription"),
            "station_name": _text(ds, "StationName"),
            "instances": int(count) if count and count.isdigit() else None}


def _instance(ds) -> dict:
    number = _text(ds, "InstanceNumber")
    try:
        number = int(number) if number is not None else None
    except ValueError:
        number = None
    return {"uid": _text(ds, "SOPInstanceUID"), "sop_class_uid": _text(ds, "SOPClassUID"),
            "number": number}


def _already_had(uids: set[str]) -> set[str]:
    """The UIDs Kerma imported, or an earlier query retrieved (or is retrieving)."""
    had = set()
    ordered = sorted(uids)
    for start in range(0, len(ordered), _UID_BATCH):
        batch = ordered[start:start + _UID_BATCH]
        had.update(db.session.scalars(select(ObjectUIDsProcessed.sop_instance_uid).where(
            ObjectUIDsProcessed.sop_instance_uid.in_(batch))))
        had.update(db.session.scalars(select(QrObject.sop_instance_uid).where(
            QrObject.sop_instance_uid.in_(batch), QrObject.status.in_(_HAD))))
    return had


def _has_stored_report(study_uid: str) -> bool:
    """Whether a study with this UID is stored from a dose report (not from image headers)."""
    from ..importing.store import _from_images, study_event_uids

    for study in db.session.scalars(select(GeneralStudyModuleAttr).where(
            GeneralStudyModuleAttr.study_instance_uid == study_uid)):
        if study_event_uids(study) and not _from_images(study):
            return True
    return False


# Retrieving ------------------------------------------------------------------------------
def _retrieve(query: QrQuery, address: Address, report):
    """Retrieve every object of the query still wanted (or not delivered last time)."""
    query_id = query.id
    source = f"query {query_id} from {address.name}"
    rows = db.session.execute(
        select(QrObject.id, QrObject.study_instance_uid, QrObject.series_instance_uid,
               QrObject.sop_instance_uid, QrObject.series_complete)
        .where(QrObject.query_id == query_id, QrObject.status.in_((WANTED, NOT_DELIVERED)))
        .order_by(QrObject.id)).all()
    if not rows:
        return
    complete = Counter(db.session.scalars(
        select(QrObject.series_instance_uid).where(QrObject.query_id == query_id,
                                                   QrObject.series_complete.is_(True))))
    requests = []
    by_series = {}
    for row in rows:
        by_series.setdefault((row.study_instance_uid, row.series_instance_uid), []).append(row)
    for (study_uid, series_uid), members in by_series.items():
        if all(m.series_complete for m in members) and len(members) == complete[series_uid]:
            requests.append(("SERIES", {"StudyInstanceUID": study_uid,
                                        "SeriesInstanceUID": series_uid}, members))
        else:
            requests += [("IMAGE", {"StudyInstanceUID": study_uid,
                                    "SeriesInstanceUID": series_uid,
                                    "SOPInstanceUID": m.sop_instance_uid}, [m])
                         for m in members]
    spool = Spool.for_app(current_app)
    app = current_app._get_current_object()
    received = []
    lock = threading.Lock()

    def on_object(data, uid):
        path = spool.add(data, uid)
        with lock:
            received.append(uid)
        from ..tasks.imports import import_spooled
        import_spooled(path, source=source, record=False, app=app)

    handlers = nodes.store_handler(on_object) if address.method == GET else []
    contexts = [nodes.GET_MODEL] if address.method == GET else [nodes.MOVE_MODEL]
    destination = nodes.move_destination() if address.method == MOVE else None
    done = 0
    with nodes.association(address, contexts, handlers=handlers,
                           get_storage=address.method == GET) as assoc:
        for level, keys, members in requests:
            with lock:
                received.clear()
            result = nodes.retrieve(assoc, address.method, level, keys, address, destination)
            with lock:
                got = set(received)
            _settle(members, result, got if address.method == GET else None)
            done += len(members)
            _beat(query_id, force=False)
            if done % 50 < len(members) or done == len(rows):
                report(f"retrieved {done} of {len(rows)} object(s)")


def _settle(members, result, received: set | None):
    """Record what one retrieve delivered: received (C-GET) or reported (C-MOVE)."""
    failed = set(result.failed_uids)
    if received is not None:
        delivered = {m.id for m in members if m.sop_instance_uid in received}
    elif (result.failed > len(failed)
          or result.completed + result.warning < len(members) - len(failed)):
        # The node says some failed without saying which: only the imports can tell.
        delivered = set()
    else:
        delivered = {m.id for m in members if m.sop_instance_uid not in failed}
    missing = [m.id for m in members if m.id not in delivered]
    with writing():
        _mark(delivered, missing, result)


def _mark(delivered, missing, result):
    if delivered:
        db.session.execute(update(QrObject).where(
            QrObject.id.in_(delivered), QrObject.status.in_((WANTED, NOT_DELIVERED)))
            .values(status=RETRIEVED, message=None).execution_options(synchronize_session=False))
    if missing:
        db.session.execute(update(QrObject).where(
            QrObject.id.in_(missing), QrObject.status.in_((WANTED, NOT_DELIVERED)))
            .values(status=NOT_DELIVERED,
                    message=f"not delivered (status 0x{result.status:04X}, "
                            f"{result.failed} failed sub-operation(s))")
            .execution_options(synchronize_session=False))


# Imports and progress --------------------------------------------------------------------
def note_import(spool_name: str, imported: bool, message: str | None = None):
    """Record on the query objects with this file's SOP Instance UID how its import went.

    The spool names files ``<time>-<SOP Instance UID>-<random>.dcm``. Only a query still
    running, or finished within the last day, is touched, so that imports from the listener
    alone cost one read.
    """
    parts = spool_name.split("-")
    if len(parts) < 3 or parts[1] == "unknown":
        return
    uid = parts[1]
    recent = utcnow() - timedelta(days=1)
    active = db.session.scalar(select(QrQuery.id).where(or_(
        QrQuery.status.in_((QR_QUEUED, QR_RUNNING)), QrQuery.finished > recent)).limit(1))
    if active is None:
        return
    with writing():
        db.session.execute(update(QrObject).where(
            QrObject.sop_instance_uid == uid,
            QrObject.status.in_((WANTED, RETRIEVED, NOT_DELIVERED)))
            .values(status=IMPORTED_OBJECT if imported else IMPORT_FAILED,
                    message=None if imported else (message or "")[:1000])
            .execution_options(synchronize_session=False))


def progress(query: QrQuery) -> dict:
    """How many of a query's objects are in each state, and retrieved in all."""
    counts = dict.fromkeys((WANTED, RETRIEVED, IMPORTED_OBJECT, IMPORT_FAILED, NOT_DELIVERED), 0)
    for status, count in db.session.execute(
            select(QrObject.status, func.count()).where(QrObject.query_id == query.id)
            .group_by(QrObject.status)):
        counts[status] = count
    counts["retrieved"] = counts[RETRIEVED] + counts[IMPORTED_OBJECT] + counts[IMPORT_FAILED]
    counts["total"] = sum(counts[s] for s in (WANTED, RETRIEVED, IMPORTED_OBJECT,
                                              IMPORT_FAILED, NOT_DELIVERED))
    return counts


def resume_interrupted(app=None) -> list[int]:
    """Queue again every running query whose heartbeat stopped; returns their ids."""
    stale = utcnow() - timedelta(seconds=_interrupted_after())
    ids = list(db.session.scalars(select(QrQuery.id).where(
        QrQuery.status == QR_RUNNING,
        or_(QrQuery.heartbeat.is_(None), QrQuery.heartbeat < stale))))
    for query_id in ids:
        query = db.session.get(QrQuery, query_id)
        log.warning("query %d on %s was interrupted (%s); queued to resume", query_id,
                    query.node.name, query.stage or "not started")
        queue_query(query)
    return ids
