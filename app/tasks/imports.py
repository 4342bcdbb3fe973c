"""Importing spooled DICOM files: the task queued for every object the listener receives.

The task claims its file, imports it, and then removes it (or keeps it, for the kinds the
site keeps); an object that is rejected or fails goes to quarantine with its reason.
Importing an object twice stores it once (the second time is a duplicate), so a task run
again after a crash changes nothing.
"""
import logging
from pathlib import Path

from flask import current_app
from pydicom import dcmread
from sqlalchemy import select

from ..extensions import db
from ..extractors.dispatch import importer_for
from ..importing import import_file
from ..importing.outcome import DUPLICATE, IMPORTED
from ..models.network import DicomKeepSettings
from ..models.tasks import DONE, FAILED
from ..spool import Spool
from . import background_task
from .queue import get_queue

log = logging.getLogger(__name__)

TASK = "import_spooled"
_HEADER_TAGS = ["SOPClassUID", "SOPInstanceUID", "Modality", "SeriesDescription", "ImageType"]


def import_spooled(path, source: str | None = None, record: bool = True, app=None) -> str:
    """Queue the import of a file in the spool's ``incoming/`` folder; returns the task id.

    Only the file's name travels with the task, so the task finds the file wherever the
    spool folder is. ``source`` says where the object came from ("CT01 at 10.0.0.5").
    """
    name = Path(path).name
    return get_queue(app).enqueue(TASK, name, source, source=source, subject=name, record=record)


@background_task(TASK, "DICOM import")
def run_import(name: str, source: str | None = None):
    """Import one spooled file, then remove, keep or quarantine it."""
    spool = Spool.for_app(current_app)
    path = spool.claim(name)
    if path is None:
        return DONE, f"{name}: nothing to do (already imported, removed or quarantined)"
    try:
        outcome = import_file(path, source=name)
    except Exception as exc:  # import_file reports failures itself; this is a last resort
        log.exception("importing %s failed", name)
        db.session.rollback()
        _quarantine(spool, path, "failed", f"{type(exc).__name__}: {exc}", source)
        _note_query(name, False, f"{type(exc).__name__}: {exc}")
        return FAILED, f"{name}: failed ({type(exc).__name__}: {exc}); moved to quarantine"
    # A query-retrieve hears how it went once the file is where it ends up (kept, removed or
    # in quarantine), so what its progress says is already true of the spool.
    if outcome.status in (IMPORTED, DUPLICATE):
        spool.finish(path, keep_as=_kept_kind(path))
        _note_query(name, True, outcome.message)
        if outcome.status == IMPORTED:
            _queue_skin_dose(outcome)
        for line in outcome.warning_lines():
            log.warning("%s (from %s)", line, source or "unknown")
        return DONE, outcome.report()
    _quarantine(spool, path, outcome.status, outcome.message, source)
    _note_query(name, False, outcome.message)
    log.warning("%s from %s: %s; moved to quarantine", name, source or "unknown", outcome.message)
    return FAILED, f"{outcome.line()}; moved to quarantine"


def _note_query(name, imported, message):
    """Tell a query-retrieve that asked for this object how its import went."""
    from ..network.queries import note_import

    try:
        note_import(name, imported, message)
    except Exception:  # the import itself is done; its query's count must not undo it
        db.session.rollback()
        log.exception("cannot record the import of %s on its query", name)


def _queue_skin_dose(outcome):
    """Queue the skin dose map of an imported fluoroscopy study (app/skindose)."""
    from ..skindose.background import queue_after_import

    queue_after_import(outcome)


def _quarantine(spool, path, status, reason, source):
    header = _header(path)
    spool.quarantine(path, status, reason, source=source,
                     sop_class_uid=header.get("SOPClassUID"),
                     sop_instance_uid=header.get("SOPInstanceUID"),
                     modality=header.get("Modality"),
                     calling_ae_title=header.get("SourceApplicationEntityTitle"))


def _kept_kind(path) -> str | None:
    """The importer name when the site keeps files of that kind, else None."""
    settings = db.session.scalars(select(DicomKeepSettings)).first()
    kinds = settings.kept_kinds() if settings else set()
    if not kinds:
        return None
    try:
        kind = importer_for(dcmread(path, stop_before_pixels=True, specific_tags=_HEADER_TAGS))
    except Exception:
        return None
    return kind if kind in kinds else None


def _header(path) -> dict:
    """A few identifying attributes for the quarantine note; empty when unreadable."""
    try:
        ds = dcmread(path, stop_before_pixels=True, specific_tags=_HEADER_TAGS, force=True)
    except Exception:
        return {}
    found = {keyword: str(ds.get(keyword, "") or "") or None for keyword in _HEADER_TAGS[:3]}
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "SourceApplicationEntityTitle" in meta:
        found["SourceApplicationEntityTitle"] = str(meta.SourceApplicationEntityTitle).strip()
    return found
