"""The spool: received DICOM files waiting for import, kept files, and the quarantine.

Layout under ``SPOOL_DIR`` (default ``instance/spool``)::

    incoming/     written by the listener (atomically), one file per object, waiting for import
    working/      a file being imported; a worker claims it by moving it here
    quarantine/   objects that were rejected or failed, each with a ``.reason.json`` beside it
    kept/<kind>/  imported objects of the kinds the site keeps (default: none)

The spool, not the task queue, is the record of what still has to be imported: a file stays in
``incoming/`` or ``working/`` until its import has finished, so a crash loses nothing, and the
worker re-queues what it finds there when it starts. Every move is a rename within one file
system, so a file is always in exactly one place.
"""
import json
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

INCOMING, WORKING, QUARANTINE, KEPT = "incoming", "working", "quarantine", "kept"
REASON_SUFFIX = ".reason.json"
# Names written by the spool: receipt time, SOP Instance UID, a random tail against collisions.
_UID = re.compile(r"[0-9]+(\.[0-9]+)*")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class SpoolError(Exception):
    """A spool operation that cannot be done; the message says why, for a person."""


@dataclass
class QuarantineEntry:
    """One quarantined file and why it is there."""

    name: str
    size: int
    received: datetime
    status: str
    reason: str
    details: dict


def spool_root(app) -> Path:
    """The spool folder of an application: ``SPOOL_DIR`` or ``instance/spool``."""
    configured = app.config.get("SPOOL_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "spool"


class Spool:
    """Files in the spool folder and the moves between its parts."""

    def __init__(self, root):
        self.root = Path(root)
        self.incoming = self.root / INCOMING
        self.working = self.root / WORKING
        self.quarantine_dir = self.root / QUARANTINE
        self.kept = self.root / KEPT

    @classmethod
    def for_app(cls, app) -> "Spool":
        """The spool of an application, its folders created."""
        spool = cls(spool_root(app))
        spool.create()
        return spool

    def create(self):
        """Create the spool folders (private to the user running Kerma) if missing."""
        for folder in (self.incoming, self.working, self.quarantine_dir, self.kept):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    # Receiving ---------------------------------------------------------------------------
    def add(self, data: bytes, sop_instance_uid: str | None = None) -> Path:
        """Write one object to ``incoming/`` so that it is complete and on disk, or absent.

        The bytes go to a hidden temporary file that is flushed to disk and then renamed into
        place, and the folder is synced so that the rename survives a power cut.
        """
        name = self.new_name(sop_instance_uid)
        fd, temporary = tempfile.mkstemp(dir=self.incoming, prefix=".tmp-", suffix=".dcm")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            target = self.incoming / name
            os.replace(temporary, target)
        except BaseException:
            _unlink_quietly(temporary)
            raise
        _sync_folder(self.incoming)
        return target

    @staticmethod
    def new_name(sop_instance_uid: str | None = None) -> str:
        """A file name that sorts in order of receipt and names the object."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        uid = (sop_instance_uid or "").strip("\0 ")
        uid = uid if len(uid) <= 64 and _UID.fullmatch(uid) else "unknown"
        return f"{stamp}-{uid}-{secrets.token_hex(3)}.dcm"

    def waiting(self) -> list[Path]:
        """Files in ``incoming/`` in order of receipt (temporary files left out)."""
        return sorted(_visible_files(self.incoming))

    def in_progress(self) -> list[Path]:
        """Files in ``working/``: claimed by a worker and not finished."""
        return sorted(_visible_files(self.working))

    def remove_stale_temporary(self, older_than: float = 3600) -> int:
        """Delete temporary files left by a listener that stopped while writing."""
        removed = 0
        limit = time.time() - older_than
        for path in self.incoming.glob(".tmp-*"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                pass
        return removed

    # Importing ---------------------------------------------------------------------------
    def claim(self, path) -> Path | None:
        """Move a waiting file to ``working/`` for import; None if it is no longer waiting.

        The rename succeeds for one caller only, so two workers never import one file.
        """
        path = Path(path)
        target = self.working / path.name
        try:
            os.rename(self.incoming / path.name, target)
        except FileNotFoundError:
            return None
        return target

    def release_in_progress(self) -> list[Path]:
        """Move every file in ``working/`` back to ``incoming/`` (a worker was interrupted)."""
        released = []
        for path in self.in_progress():
            target = self.incoming / path.name
            try:
                os.rename(path, target)
            except FileNotFoundError:
                continue
            released.append(target)
        return released

    def finish(self, path, keep_as: str | None = None):
        """Remove an imported file, or move it to ``kept/<keep_as>/`` when that kind is kept."""
        path = Path(path)
        if keep_as:
            folder = self.kept / keep_as
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(path, folder / path.name)
        else:
            _unlink_quietly(path)

    def quarantine(self, path, status: str, reason: str, **details) -> Path:
        """Move a file that could not be imported to ``quarantine/`` with its reason beside it."""
        path = Path(path)
        target = self.quarantine_dir / path.name
        note = {"status": status, "reason": reason,
                "quarantined": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        note.update({key: value for key, value in details.items() if value is not None})
        _write_json(self.quarantine_dir / (path.name + REASON_SUFFIX), note)
        os.replace(path, target)
        return target

    # The quarantine ----------------------------------------------------------------------
    def quarantined(self) -> list[QuarantineEntry]:
        """Every quarantined file with its reason, most recently received first."""
        entries = []
        for path in _visible_files(self.quarantine_dir):
            if path.name.endswith(REASON_SUFFIX):
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            note = _read_json(self.quarantine_dir / (path.name + REASON_SUFFIX))
            entries.append(QuarantineEntry(
                name=path.name, size=stat.st_size,
                received=datetime.fromtimestamp(stat.st_mtime, timezone.utc).replace(tzinfo=None),
                status=note.get("status", "unknown"),
                reason=note.get("reason", "no reason was recorded"), details=note))
        entries.sort(key=lambda entry: (entry.received, entry.name), reverse=True)
        return entries

    def quarantined_count(self) -> int:
        """How many files are in quarantine."""
        return sum(1 for path in _visible_files(self.quarantine_dir)
                   if not path.name.endswith(REASON_SUFFIX))

    def requeue(self, name: str) -> Path:
        """Move a quarantined file back to ``incoming/`` (its reason is dropped)."""
        source = self._quarantined_path(name)
        target = self.incoming / source.name
        os.rename(source, target)
        _unlink_quietly(self.quarantine_dir / (source.name + REASON_SUFFIX))
        return target

    def delete_quarantined(self, name: str):
        """Delete a quarantined file and its reason."""
        source = self._quarantined_path(name)
        source.unlink()
        _unlink_quietly(self.quarantine_dir / (source.name + REASON_SUFFIX))

    def _quarantined_path(self, name: str) -> Path:
        # Names come from URLs: only plain names of files that are in the quarantine.
        if not _SAFE_NAME.match(name or "") or name.endswith(REASON_SUFFIX):
            raise SpoolError("There is no such file in quarantine.")
        path = self.quarantine_dir / name
        if not path.is_file():
            raise SpoolError("There is no such file in quarantine.")
        return path

    def counts(self) -> dict:
        """How many files wait, are being imported, and are in quarantine."""
        return {"waiting": len(self.waiting()), "working": len(self.in_progress()),
                "quarantined": self.quarantined_count()}


def _visible_files(folder: Path):
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.name.startswith(".") and entry.is_file():
                    yield Path(entry.path)
    except FileNotFoundError:
        return


def _sync_folder(folder: Path):
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _write_json(path: Path, data: dict):
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(temporary, path)
    except BaseException:
        _unlink_quietly(temporary)
        raise


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
