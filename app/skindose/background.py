"""The skin dose map task, queued when an RF object has been imported.

The import itself never talks to the queue: the import task (``tasks.imports.run_import``)
queues this one after an RF study has been stored, as it reports to a query-retrieve after
the fact. A failure here leaves the study as imported, without a map.
"""
import logging

from ..extensions import db
from ..models.tasks import DONE, FAILED
from ..tasks import background_task
from ..tasks.queue import get_queue
from .maps import MODALITY, compute_study

log = logging.getLogger(__name__)

TASK = "skin_dose_map"


def compute_and_alert(study_id: int):
    """Compute and store one study's map, then apply the peak skin dose rules; the map row,
    or None when the study is gone or not fluoroscopy. Commits."""
    row = compute_study(study_id)
    if row is None:
        db.session.rollback()
        return None
    db.session.commit()
    if row.peak_skin_dose is not None:
        from ..alerts.evaluation import evaluate_kind

        evaluate_kind(db.session, study_id, "peak_skin_dose")
        db.session.commit()
    return row


@background_task(TASK, "Skin dose map")
def run_skin_dose(study_id: int):
    """Compute and store the skin dose map of one study."""
    row = compute_and_alert(study_id)
    if row is None:
        return DONE, f"study {study_id}: gone or not fluoroscopy, nothing to do"
    if row.peak_skin_dose is None:
        return DONE, f"study {study_id}: not computed ({row.message})"
    return DONE, (f"study {study_id}: peak skin dose {row.peak_skin_dose:.3f} Gy from "
                  f"{row.events_used} events ({row.events_skipped} skipped)")


def queue_after_import(outcome, app=None) -> str | None:
    """Queue the map of an imported study when it is RF; the task id, or None."""
    if outcome.study_id is None or outcome.modality_type != MODALITY:
        return None
    try:
        return get_queue(app).enqueue(TASK, outcome.study_id, source="import",
                                      subject=f"study {outcome.study_id}")
    except Exception:  # the import is done; a missing map can be computed later (CLI)
        db.session.rollback()
        log.exception("cannot queue the skin dose map of study %s", outcome.study_id)
        return None
