"""The running listener: a Store SCP that follows its settings and reports a heartbeat.

Every few seconds the listener reads its settings again: new allowed AE titles and hosts apply
to the next association, and a new AE title, port or bind address restarts the server, so an
administrator's change on the admin page takes effect without a restart of the service.

A received object is answered as soon as its file is safely in the spool; its import task is
put on the queue by a thread of its own (``Enqueuer``). The queue's SQLite file is shared
with the worker processes, and a C-STORE that waited for it could wait longer than the
sender's timeout when they hold it; an object whose task was not queued (the listener
stopped first, or the queue refused it) stays in the spool, where the worker's sweep finds
it within minutes and its start at once.
"""
import dataclasses
import logging
import os
import queue
import threading
from datetime import datetime, timezone

from .. import heartbeat
from ..spool import Spool
from ..tasks.imports import import_spooled
from .scp import StoreSCP
from .settings import listener_settings

log = logging.getLogger("kerma.dicom")


class Enqueuer:
    """Queues import tasks in a background thread, in the order files were received."""

    #: Seconds ``stop`` waits for tasks still to be queued.
    DRAIN_SECONDS = 10.0

    def __init__(self, enqueue):
        self._enqueue = enqueue
        self._waiting = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="listener-enqueuer",
                                        daemon=True)
        self._thread.start()

    def __call__(self, path, source):
        """Queue the import of ``path`` soon; returns at once."""
        self._waiting.put((path, source))

    def stop(self):
        """Queue what is waiting (for at most DRAIN_SECONDS), then end the thread."""
        self._waiting.put(None)
        self._thread.join(timeout=self.DRAIN_SECONDS)

    def _run(self):
        while True:
            item = self._waiting.get()
            if item is None:
                return
            path, source = item
            try:
                self._enqueue(path, source)
            except Exception:
                # The file is safe in the spool; the worker's sweep queues it within minutes.
                log.exception("stored %s but could not queue its import", path.name)


class Listener:
    """A Store SCP for an application; ``overrides`` fix settings (from the command line)."""

    def __init__(self, app, **overrides):
        self.app = app
        self.overrides = {key: value for key, value in overrides.items() if value is not None}
        self.spool = Spool.for_app(app)
        self.heartbeat_path = self.spool.root / heartbeat.LISTENER
        self.scp = None
        self._started = None
        self._failed = None
        self._enqueuer = None

    def settings(self):
        """The settings in force, with the overrides applied."""
        with self.app.app_context():
            settings = listener_settings()
        return dataclasses.replace(settings, **self.overrides)

    def start(self):
        """Start listening (in background threads) and write the first heartbeat."""
        self.spool.remove_stale_temporary()
        self._enqueuer = Enqueuer(self._queue_import)
        self.scp = StoreSCP(self.settings(), self.spool, self._enqueuer, self.app.config)
        self.scp.start()
        self._started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._beat()

    def poll(self):
        """Follow changed settings and write a heartbeat; called every few seconds."""
        try:
            settings = self.settings()
        except Exception:
            log.exception("cannot read the listener settings; keeping the current ones")
        else:
            if settings.address != self.scp.settings.address:
                self._restart(settings)
            else:
                self.scp.update_access(settings)
        self._beat()

    def _restart(self, settings):
        """Listen with a new AE title or address; stay as before while that fails.

        A new address is opened before the old one closes, so associations in progress are
        not cut off; only a change of AE title alone needs the old socket closed first.
        """
        previous = self.scp
        replacement = StoreSCP(settings, self.spool, self._enqueuer, self.app.config)
        replacement.counters = previous.counters
        same_socket = (settings.bind, settings.port) == (previous.settings.bind, previous.port)
        if same_socket:
            fallback = dataclasses.replace(previous.settings, port=previous.port)
            previous.stop()
        try:
            replacement.start()
        except OSError as exc:
            if self._failed != settings:
                log.error("cannot listen on %s port %d (%s); staying on %s port %d and "
                          "trying again", settings.bind, settings.port, exc,
                          previous.settings.bind, previous.port)
                self._failed = settings
            if same_socket:
                self.scp = StoreSCP(fallback, self.spool, self._enqueuer, self.app.config)
                self.scp.counters = previous.counters
                self.scp.start()
            return
        log.info("now listening as %s on %s port %d", settings.ae_title, settings.bind,
                 replacement.port)
        self._failed = None
        if not same_socket:
            previous.stop()
        self.scp = replacement

    def stop(self):
        """Stop listening and remove the heartbeat."""
        if self.scp is not None:
            self.scp.stop()
        if self._enqueuer is not None:
            self._enqueuer.stop()
        heartbeat.stop(self.heartbeat_path)

    def serve_forever(self, stop: threading.Event):
        """Listen until ``stop`` is set."""
        self.start()
        try:
            while not stop.wait(heartbeat.INTERVAL):
                self.poll()
        finally:
            self.stop()

    @property
    def port(self) -> int:
        """The port listened on."""
        return self.scp.port

    def _queue_import(self, path, source):
        import_spooled(path, source=source, record=False, app=self.app)

    def _beat(self):
        settings = self.scp.settings
        try:
            heartbeat.beat(self.heartbeat_path, {
                "ae_title": settings.ae_title, "port": self.scp.port, "bind": settings.bind,
                "allowed_ae_titles": list(settings.allowed_ae_titles),
                "allowed_hosts": list(settings.allowed_hosts),
                "started": self._started, "host": os.uname().nodename,
                **self.scp.counters.as_dict()})
        except OSError:
            log.exception("cannot write the listener heartbeat")
