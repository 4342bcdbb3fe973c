"""The task queue: one Huey instance per application, built from its settings on first use.

Storage is SQLite (a file in the instance folder) unless ``HUEY_STORAGE`` is "redis". Task
results are not stored: the ``BackgroundTask`` rows say how each task went. Tasks run inside
an application context, so they use the database like a request does.
"""
import logging
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab
from huey.storage import SqliteStorage

from ..extensions import db
from ..models.tasks import FAILED
from . import TASKS, records

log = logging.getLogger(__name__)

EXTENSION = "kerma.tasks"
#: Registry names are "<module>.<task name>"; one module for all keeps them stable.
TASK_MODULE = "kerma.tasks"
SWEEP = "sweep_spool"
QR_SCHEDULES = "qr_schedules"


@dataclass
class PendingTask:
    """A task waiting in the queue, as the Tasks page lists it."""

    id: str
    name: str
    args: tuple
    source: str | None
    subject: str | None
    enqueued: datetime | None


class TaskQueue:
    """An application's Huey instance, created when first needed.

    Pages and commands that never queue anything never open the queue's storage.
    """

    def __init__(self, app):
        self.app = app
        self._huey = None
        self._wrappers = {}
        self._lock = threading.Lock()

    @property
    def huey(self):
        """The Huey instance, with Kerma's tasks registered."""
        if self._huey is None:
            with self._lock:
                if self._huey is None:
                    huey = build_huey(self.app.config, Path(self.app.instance_path))
                    self._wrappers = _register_tasks(huey, self.app)
                    self._huey = huey
        return self._huey

    def enqueue(self, name: str, *args, source=None, subject=None, record=True) -> str:
        """Put a task on the queue and return its id.

        With ``record`` a ``queued`` row is written first, committing the current session;
        the DICOM listener passes False to stay off the database, and the worker writes the
        row when the task starts.
        """
        huey = self.huey
        meta = {"source": source, "subject": subject, "enqueued": time.time()}
        task = self._wrappers[name].s(*args, _meta=meta)
        if record:
            with self._context():
                records.record_queued(task.id, name, source, subject)
        try:
            huey.enqueue(task)
        except Exception:
            if record:
                with self._context():
                    records.finish(task.id, name, FAILED, "the task queue refused it")
            raise
        return task.id

    def _context(self):
        """This application's context: the current one if it is ours, else a new one.

        A second context would bring a second session, and on SQLite a session that read
        before another one wrote cannot write any more.
        """
        if has_app_context() and current_app._get_current_object() is self.app:
            return nullcontext()
        return self.app.app_context()

    def pending(self, limit: int | None = None) -> list[PendingTask]:
        """Tasks waiting in the queue, oldest first (periodic housekeeping left out)."""
        found = []
        for task in self.huey.pending(limit):
            if task.name not in TASKS:
                continue
            meta = (task.kwargs or {}).get("_meta") or {}
            enqueued = meta.get("enqueued")
            found.append(PendingTask(
                id=task.id, name=task.name, args=tuple(task.args or ()),
                source=meta.get("source"), subject=meta.get("subject"),
                enqueued=(datetime.fromtimestamp(enqueued, timezone.utc).replace(tzinfo=None)
                          if enqueued else None)))
        return found

    def pending_count(self) -> int:
        """How many tasks wait in the queue."""
        return self.huey.pending_count()

    def find_pending(self, task_id: str) -> PendingTask | None:
        """The waiting task with this id, or None."""
        for task in self.pending():
            if task.id == task_id:
                return task
        return None

    def revoke(self, task_id: str):
        """Tell the workers to skip this task when they take it from the queue."""
        self.huey.revoke_by_id(task_id, revoke_once=True)


def build_huey(config, instance_path: Path):
    """A Huey instance for the storage the settings name."""
    name = config.get("HUEY_NAME") or "kerma"
    storage = (config.get("HUEY_STORAGE") or "sqlite").lower()
    if storage == "sqlite":
        path = Path(config.get("HUEY_SQLITE_PATH") or instance_path / "tasks.sqlite")
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False, utc=True,
                          storage_class=_SqliteStorage)
    if storage == "redis":
        url = config.get("HUEY_REDIS_URL")
        if not url:
            raise RuntimeError("HUEY_STORAGE is redis but HUEY_REDIS_URL is not set")
        return RedisHuey(name, url=url, results=False, utc=True)
    raise RuntimeError(f"HUEY_STORAGE must be sqlite or redis, not {storage!r}")


class _SqliteStorage(SqliteStorage):
    """Huey's SQLite storage, syncing to disk at checkpoints rather than at every commit.

    In WAL mode a power cut may then lose the last tasks queued but never damages the file;
    the spool still holds their files, and the worker queues them again when it starts.
    Every object received would otherwise wait for one more disk flush.
    """

    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


def init_app(app):
    """Give the application its (lazily built) task queue."""
    app.extensions[EXTENSION] = TaskQueue(app)


def get_queue(app=None) -> TaskQueue:
    """The task queue of ``app`` or of the current application."""
    return (app or current_app).extensions[EXTENSION]


def _register_tasks(huey, app) -> dict:
    # Importing the task modules fills TASKS.
    from . import imports, sizes  # noqa: F401
    from ..equipment import tasks as equipment_tasks  # noqa: F401
    from ..patients import tasks as patient_tasks  # noqa: F401
    from ..alerts import background, mail  # noqa: F401
    from ..network import queries  # noqa: F401  (query-retrieve)
    from ..skindose import background as skindose_background  # noqa: F401

    wrappers = {name: huey.task(name=name, context=True)(_runner(app, definition))
                for name, definition in TASKS.items()}
    huey.periodic_task(crontab(minute="*"), name=SWEEP)(_sweeper(app))
    huey.periodic_task(crontab(minute="*"), name=QR_SCHEDULES)(_scheduler(app))
    return wrappers


def _runner(app, definition):
    """The function Huey calls: record the start, do the work, record the end."""

    def run(*args, task=None, _meta=None, **kwargs):
        meta = _meta or {}
        enqueued = meta.get("enqueued")
        created = (datetime.fromtimestamp(enqueued, timezone.utc).replace(tzinfo=None)
                   if enqueued else None)
        with app.app_context():
            if not records.start(task.id, definition.name, meta.get("source"),
                                 meta.get("subject"), created):
                log.info("task %s (%s) was aborted before it started", task.id, definition.name)
                return
            token = records.CURRENT_TASK.set(task.id)
            try:
                status, message = definition.function(*args, **kwargs)
            except Exception as exc:
                log.exception("task %s (%s) failed", task.id, definition.name)
                db.session.rollback()
                status, message = FAILED, f"{type(exc).__name__}: {exc}"
            finally:
                records.CURRENT_TASK.reset(token)
            records.finish(task.id, definition.name, status, message)

    run.__name__ = definition.name
    run.__module__ = TASK_MODULE
    run.__doc__ = definition.function.__doc__
    return run


def _sweeper(app):
    def sweep_spool():
        from ..alerts.mail import queue_if_due
        from .worker import sweep

        with app.app_context():
            sweep(app)
            # Alert e-mail waiting (docs/alerts.md) rides on the same minute's housekeeping.
            try:
                queue_if_due(app)
            except Exception:  # a database that is away: the next minute tries again
                log.exception("cannot queue the alert e-mail")

    sweep_spool.__module__ = TASK_MODULE
    return sweep_spool


def _scheduler(app):
    def qr_schedules():
        from ..network.schedules import periodic

        periodic(app)

    qr_schedules.__module__ = TASK_MODULE
    return qr_schedules
