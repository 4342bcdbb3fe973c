"""Rows of the task history: written as tasks are queued, start, finish or are aborted.

Every change is its own short transaction, so the history is right even when a task's own
work rolls back. Starting and aborting race each other (a worker picks a task up as an
administrator aborts it): both change a row only from ``queued``, so exactly one wins.

Each change ends the session's current transaction first (committing it), then writes in a
new one; on SQLite that one starts with BEGIN IMMEDIATE, because a transaction that has read
cannot write once another connection has committed, and worker threads commit all the time.
"""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models.auth import utcnow
from ..models.tasks import (
    ABORTED, FINISHED, QUEUED, RUNNING, BackgroundTask, TaskHourlyCount,
)

MESSAGE_LENGTH = 2000
#: The id of the task the current thread runs (set by the queue's runner), for ``progress``.
CURRENT_TASK: ContextVar[str | None] = ContextVar("kerma_current_task", default=None)


def progress(message: str) -> None:
    """Show how far the running task has got: its message on the Tasks page, while it runs.

    Outside a task (work done while a page waits) nothing is written.
    """
    task_id = CURRENT_TASK.get()
    if task_id is None:
        return
    with _writing():
        db.session.execute(update(BackgroundTask).where(
            BackgroundTask.uuid == task_id, BackgroundTask.status == RUNNING)
            .values(message=_cut(message, MESSAGE_LENGTH)))


def record_queued(task_id: str, task_type: str, source=None, subject=None):
    """Add the row of a task just put on the queue."""
    with _writing():
        db.session.add(BackgroundTask(uuid=task_id, task_type=task_type, status=QUEUED,
                                      source=_cut(source, 256), subject=_cut(subject, 256)))


def start(task_id: str, task_type: str, source=None, subject=None, created=None) -> bool:
    """Mark a task running; False when it was aborted and must not run.

    Tasks queued without a row (the DICOM listener does not write to the database) get one
    here.
    """
    now = utcnow()
    try:
        with _writing():
            changed = db.session.execute(
                update(BackgroundTask)
                .where(BackgroundTask.uuid == task_id, BackgroundTask.status == QUEUED)
                .values(status=RUNNING, started=now)
            ).rowcount
            if changed:
                return True
            if find(task_id) is not None:
                return False
            db.session.add(BackgroundTask(
                uuid=task_id, task_type=task_type, status=RUNNING, started=now,
                created=created or now, source=_cut(source, 256), subject=_cut(subject, 256)))
    except IntegrityError:
        # Aborted (on PostgreSQL, where rows are not locked) between our look and our insert.
        return False
    return True


def finish(task_id: str, task_type: str, status: str, message: str | None = None):
    """Record how a task ended, and count it in its hour."""
    now = utcnow()
    with _writing():
        db.session.execute(
            update(BackgroundTask).where(BackgroundTask.uuid == task_id)
            .values(status=status, message=_cut(message, MESSAGE_LENGTH), finished=now)
        )
        _count(task_type, status, now)


def abort(task_id: str, task_type: str, source=None, subject=None, message=None) -> bool:
    """Mark a queued task aborted; False when it has started (or finished) already."""
    now = utcnow()
    values = {"status": ABORTED, "finished": now, "message": _cut(message, MESSAGE_LENGTH)}
    try:
        with _writing():
            changed = db.session.execute(
                update(BackgroundTask)
                .where(BackgroundTask.uuid == task_id, BackgroundTask.status == QUEUED)
                .values(**values)
            ).rowcount
            if not changed:
                if find(task_id) is not None:
                    return False
                db.session.add(BackgroundTask(
                    uuid=task_id, task_type=task_type, source=_cut(source, 256),
                    subject=_cut(subject, 256), **values))
            _count(task_type, ABORTED, now)
    except IntegrityError:
        # The worker inserted its running row first: the task has started.
        return False
    return True


def interrupted(message="the worker stopped while this task ran") -> int:
    """Mark every running task failed; called when a worker starts, before it runs any."""
    now = utcnow()
    with _writing():
        rows = db.session.execute(
            select(BackgroundTask.uuid, BackgroundTask.task_type)
            .where(BackgroundTask.status == RUNNING)
        ).all()
        for task_id, task_type in rows:
            db.session.execute(
                update(BackgroundTask).where(BackgroundTask.uuid == task_id)
                .values(status="failed", message=message, finished=now))
            _count(task_type, "failed", now)
    return len(rows)


def prune(keep: int) -> int:
    """Delete finished tasks beyond the newest ``keep``, and hourly counts older than a month."""
    with _writing():
        cutoff = db.session.scalars(
            select(BackgroundTask.id).where(BackgroundTask.status.in_(FINISHED))
            .order_by(BackgroundTask.id.desc()).offset(keep).limit(1)
        ).first()
        removed = 0
        if cutoff is not None:
            removed = db.session.execute(
                delete(BackgroundTask)
                .where(BackgroundTask.status.in_(FINISHED), BackgroundTask.id <= cutoff)
            ).rowcount
        db.session.execute(delete(TaskHourlyCount)
                           .where(TaskHourlyCount.hour < utcnow() - timedelta(days=31)))
    return removed


def hourly_counts(hours: int = 24, now: datetime | None = None) -> list[dict]:
    """Finished tasks per hour and status for the last ``hours`` hours, oldest first."""
    end = _hour(now or utcnow())
    start_hour = end - timedelta(hours=hours - 1)
    rows = db.session.execute(
        select(TaskHourlyCount.hour, TaskHourlyCount.status, func.sum(TaskHourlyCount.count))
        .where(TaskHourlyCount.hour >= start_hour)
        .group_by(TaskHourlyCount.hour, TaskHourlyCount.status)
    ).all()
    by_hour = {start_hour + timedelta(hours=i): {} for i in range(hours)}
    for hour, status, count in rows:
        if hour in by_hour:
            by_hour[hour][status] = int(count)
    return [{"hour": hour, **{s: counts.get(s, 0) for s in FINISHED},
             "total": sum(counts.values())} for hour, counts in by_hour.items()]


def status_counts() -> dict:
    """How many tasks of the history are in each status."""
    rows = db.session.execute(
        select(BackgroundTask.status, func.count()).group_by(BackgroundTask.status)).all()
    return {status: count for status, count in rows}


@contextmanager
def writing():
    """A write transaction of its own: committed on success, rolled back on any error.

    Query-retrieve writes its progress this way too, beside the worker's imports.
    """
    session = db.session()  # the session itself: the scoped proxy lacks in_transaction
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


_writing = writing


def _count(task_type: str, status: str, when: datetime):
    """Add one to the hour's counter, in the caller's transaction (an upsert on both databases)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(TaskHourlyCount).values(
        hour=_hour(when), task_type=task_type, status=status, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["hour", "task_type", "status"],
        set_={"count": TaskHourlyCount.count + 1})
    db.session.execute(statement)


def find(task_id: str) -> BackgroundTask | None:
    """The history row of a task, read afresh; None when there is none."""
    return db.session.scalars(
        select(BackgroundTask).where(BackgroundTask.uuid == task_id)
        .execution_options(populate_existing=True)
    ).first()


def _hour(when: datetime) -> datetime:
    return when.replace(minute=0, second=0, microsecond=0)


def _cut(text, length):
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"
