"""The worker: runs queued tasks, after making good whatever an earlier run left unfinished.

A worker killed mid-task leaves its file in the spool's ``working/`` folder and its task row
``running``. When a worker starts it marks such rows failed, moves those files back to
``incoming/``, and queues every waiting file that no queued task refers to. Importing is
idempotent, so a file imported just before the crash is found to be a duplicate and nothing
changes. Run one worker (with as many threads as you like) per spool folder.
"""
import logging
import os
import threading
import time
from datetime import datetime, timezone

from huey.consumer import Consumer

from .. import heartbeat
from ..extensions import db
from ..spool import Spool
from . import records
from .imports import TASK as IMPORT_TASK, import_spooled
from .queue import get_queue

log = logging.getLogger(__name__)

#: A waiting file this old (seconds) without a queued task is queued again by the sweep.
ORPHAN_AGE = 60.0


def running_worker(app) -> dict | None:
    """The last heartbeat of a running worker (``flask worker``), or None when none runs."""
    return heartbeat.read(Spool.for_app(app).root / heartbeat.WORKER)


def recover(app) -> dict:
    """Settle what a stopped worker left behind and queue every waiting file; returns counts."""
    with app.app_context():
        interrupted = records.interrupted()
        spool = Spool.for_app(app)
        released = spool.release_in_progress()
        spool.remove_stale_temporary()
        queued = requeue_waiting(app)
        records.prune(app.config["TASK_HISTORY_MAX"])
        resumed = _resume_queries(app)
    if interrupted or released or queued:
        log.info("recovered: %d interrupted task(s), %d file(s) back from working/, "
                 "%d waiting file(s) queued", interrupted, len(released), queued)
    return {"interrupted": interrupted, "released": len(released), "queued": queued,
            "resumed_queries": resumed}


def _resume_queries(app) -> int:
    """Queue again the query-retrieves a stopped worker (or command) left running."""
    from ..network.queries import resume_interrupted

    try:
        return len(resume_interrupted(app))
    except Exception:
        db.session.rollback()
        log.exception("cannot resume interrupted query-retrieves")
        return 0


def requeue_waiting(app, min_age: float = 0.0) -> int:
    """Queue an import for each waiting file no queued task refers to; returns how many."""
    spool = Spool.for_app(app)
    queue = get_queue(app)
    pending = {task.args[0] for task in queue.pending()
               if task.name == IMPORT_TASK and task.args}
    newest = time.time() - min_age
    queued = 0
    for path in spool.waiting():
        if path.name in pending:
            continue
        try:
            if min_age and path.stat().st_mtime > newest:
                continue
        except FileNotFoundError:
            continue
        import_spooled(path, source="spool (queued again)", record=False, app=app)
        queued += 1
    return queued


def sweep(app):
    """Housekeeping every minute: queue orphaned waiting files, trim the task history."""
    queued = requeue_waiting(app, min_age=ORPHAN_AGE)
    if queued:
        log.warning("%d waiting file(s) had no queued task; queued them again", queued)
    records.prune(app.config["TASK_HISTORY_MAX"])


class _Consumer(Consumer):
    """Huey's consumer, optionally without signal handlers (they need the main thread)."""

    def __init__(self, *args, install_signals=True, **kwargs):
        self._install_signals = install_signals
        super().__init__(*args, **kwargs)

    def _set_signal_handlers(self):
        if self._install_signals:
            super()._set_signal_handlers()


class Worker:
    """A consumer of the application's queue, with recovery at start and a heartbeat file."""

    def __init__(self, app, workers: int | None = None, worker_type: str = "thread",
                 install_signals: bool = True):
        self.app = app
        self.workers = workers or app.config["WORKER_COUNT"]
        self.worker_type = worker_type
        huey = get_queue(app).huey
        if worker_type == "process":
            # Forked workers must not share the parent's database connections.
            huey.on_startup("dispose-engine")(self._dispose_engine)
        poll = float(app.config["WORKER_POLL_SECONDS"])
        self.consumer = _Consumer(
            huey, workers=self.workers, worker_type=worker_type, periodic=True,
            initial_delay=min(0.05, poll), backoff=1.3, max_delay=poll,
            # systemd stops services with SIGTERM: let running tasks finish.
            graceful_signal="TERM", install_signals=install_signals)
        self._beating = threading.Event()
        self._beat_thread = None
        self._started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.heartbeat_path = Spool.for_app(app).root / heartbeat.WORKER

    def start(self):
        """Recover, then run the consumer's threads in the background (for tests and embedding)."""
        recover(self.app)
        self.consumer.start()
        self._start_heartbeat()

    def stop(self, graceful: bool = True):
        """Stop the consumer, letting running tasks finish when ``graceful``."""
        self.consumer.stop(graceful=graceful)
        self._stop_heartbeat()

    def run(self):
        """Recover, then run the consumer in this (main) thread until a signal stops it."""
        recover(self.app)
        self._start_heartbeat()
        try:
            self.consumer.run()
        finally:
            self._stop_heartbeat()

    def _dispose_engine(self):
        with self.app.app_context():
            db.engine.dispose(close=False)

    def _start_heartbeat(self):
        self._beating.set()
        self._beat_thread = threading.Thread(target=self._beat, name="worker-heartbeat",
                                             daemon=True)
        self._beat_thread.start()

    def _stop_heartbeat(self):
        self._beating.clear()
        if self._beat_thread is not None:
            self._beat_thread.join(timeout=heartbeat.INTERVAL + 1)
        heartbeat.stop(self.heartbeat_path)

    def _beat(self):
        queue = get_queue(self.app)
        while self._beating.is_set():
            try:
                heartbeat.beat(self.heartbeat_path, {
                    "workers": self.workers, "worker_type": self.worker_type,
                    "started": self._started, "pending": queue.pending_count(),
                    "host": os.uname().nodename})
            except Exception:
                log.exception("cannot write the worker heartbeat")
            for _ in range(int(heartbeat.INTERVAL * 10)):
                if not self._beating.is_set():
                    return
                time.sleep(0.1)
