"""Heartbeat files: how the listener and the worker tell the admin pages they are running.

Each long-running process rewrites a small JSON file in the spool folder every few seconds;
a page that finds the file recent enough shows the process as running, with what it wrote.
"""
import json
import os
import tempfile
import time
from pathlib import Path

#: Seconds between beats; a beat older than STALE_AFTER means the process is gone.
INTERVAL = 5.0
STALE_AFTER = 3 * INTERVAL

LISTENER, WORKER = "listener.json", "worker.json"


def beat(path, info: dict):
    """Write ``info`` with the current time to ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = dict(info, beat=time.time(), pid=os.getpid())
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def read(path, stale_after: float = STALE_AFTER) -> dict | None:
    """The last beat in ``path`` with ``age`` (seconds) added, or None if absent or stale."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    age = time.time() - float(data.get("beat", 0))
    if age > stale_after:
        return None
    data["age"] = age
    return data


def stop(path):
    """Remove the heartbeat file of a process that stops cleanly."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
