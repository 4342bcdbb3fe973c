"""Importing: DICOM objects to stored studies, each object in one transaction.

``import_file`` and ``import_dataset`` are what the CLI, the upload page and the DICOM
listener call. Nothing is written for an object that fails: the transaction rolls back.
"""
import functools
import gc
import logging
import time

from pydicom import dcmread
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..alerts.evaluation import evaluate_import
from ..extensions import db
from ..extractors.dispatch import LOCALIZER, extract, importer_for
from ..extractors.errors import ExtractorError, NotDoseObject
from . import lookups
from .outcome import FAILED, IMPORTED, REJECTED, Outcome, Summary
from .reading import Unreadable, dicom_files, read_dataset
from .rows import TooLong
from .store import store
from .transaction import import_transaction

log = logging.getLogger(__name__)

__all__ = ["import_file", "import_dataset", "import_paths", "Outcome", "Summary", "dicom_files"]

#: Attempts for an import that collides with a concurrent one (unique keys, lock timeouts).
ATTEMPTS = 4


def _collector_paused(function):
    """Run ``function`` with the cyclic garbage collector paused.

    Reading and storing a large report creates hundreds of thousands of small objects that
    all live until the import ends; the collector's full passes over them, triggered again
    and again as they accumulate, tripled the import time. Most are freed by reference counting
    when the import returns; the collector, running again from then on, takes the rest.
    """
    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not gc.isenabled():  # already paused by an outer call (or by the application)
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@_collector_paused
def import_file(path, importer: str | None = None, source: str | None = None) -> Outcome:
    """Import one file; ``importer`` forces an extractor ("rdsr", "mg", "dx", ...)."""
    source = source or str(path)
    try:
        ds = read_dataset(path)
    except Unreadable as exc:
        return Outcome(source, REJECTED if exc.rejected else FAILED, str(exc))
    if importer is None and _localizer(ds):
        # The header was read without pixels; a localizer's size is in its pixels.
        try:
            ds = dcmread(path, force=True)
        except Exception as exc:  # noqa: BLE001 - a corrupt localizer is reported, not raised
            return Outcome(source, FAILED, f"CT localizer not used: its pixels cannot be read "
                                           f"({_short(exc)})")
    return import_dataset(ds, source, importer)


def _localizer(ds) -> bool:
    try:
        return importer_for(ds) == LOCALIZER
    except Exception:  # noqa: BLE001 - import_dataset reports why the object is not read
        return False


@_collector_paused
def import_dataset(ds, source: str, importer: str | None = None) -> Outcome:
    """Import one pydicom dataset (already read) under the name ``source``."""
    try:
        if importer is None and importer_for(ds) == LOCALIZER:
            from ..ssde.receiving import store_localizer

            return store_localizer(ds, source)
        record = extract(ds, importer)
    except NotDoseObject as exc:
        return Outcome(source, REJECTED, str(exc))
    except ExtractorError as exc:
        return Outcome(source, FAILED, str(exc))
    except RecursionError:
        return Outcome(source, FAILED, "its content tree is nested too deeply")
    except NotImplementedError as exc:  # pydicom, for a value representation that does not exist
        return Outcome(source, FAILED, f"is damaged ({_short(exc)})")
    except Exception as exc:  # an object no extractor anticipated: report it, never crash
        log.warning("extracting %s failed: %r", source, exc, exc_info=log.isEnabledFor(10))
        return Outcome(source, FAILED, f"could not be read ({type(exc).__name__}: {_short(exc)})")
    return persist(record, source)


def persist(record: dict, source: str) -> Outcome:
    """Store a study record in one transaction, retrying if a concurrent import collides."""
    for attempt in range(ATTEMPTS):
        try:
            with import_transaction(db.session):
                outcome = store(db.session, record, source)
                if outcome.status == IMPORTED and outcome.study_id is not None:
                    # In the import's own transaction (a savepoint that never fails it), so
                    # an alert exists exactly when its study does.
                    evaluate_import(db.session, outcome.study_id, new_study=not outcome.merged,
                                    modality_type=outcome.modality_type)
            if outcome.status != IMPORTED:
                outcome.warnings = []  # nothing of this object was stored
            return outcome
        except (IntegrityError, OperationalError) as exc:
            # A kept code or identity may be gone (rows deleted behind Kerma's back): ask again.
            lookups.forget(db.session)
            if attempt + 1 == ATTEMPTS:
                log.warning("storing %s failed: %s", source, exc)
                return Outcome(source, FAILED, f"the database refused it ({_short(exc.orig)})")
            # The first retry at once: the colliding import has committed, or the memory
            # was stale. Later ones wait for a lock to be given up.
            time.sleep(0.05 * attempt)
        except TooLong as exc:
            return Outcome(source, FAILED, str(exc))
        except DBAPIError as exc:
            return Outcome(source, FAILED, f"the database refused it ({_short(exc.orig)})")
        except Exception as exc:
            log.warning("storing %s failed: %r", source, exc, exc_info=log.isEnabledFor(10))
            return Outcome(source, FAILED, f"could not be stored ({type(exc).__name__}: {_short(exc)})")
    raise AssertionError("unreachable")


def import_paths(paths, importer: str | None = None, keep_outcomes: bool = True):
    """Import every file under ``paths``; yields each Outcome, the caller sums them up."""
    for path in dicom_files(paths):
        yield import_file(path, importer)


def _short(exc) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
