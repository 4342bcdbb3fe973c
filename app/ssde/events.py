"""SSDE on CT irradiation events: computed at import and recomputed for stored events.

Works on stored rows and on records alike (``importing.rows.RecordRow``), as the summary
fields do.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models.ct import CtIrradiationEventData
from .aapm import Size, estimate


def _code_value(code):
    return code.code_value if code is not None else None


def event_estimate(event):
    """The AAPM estimate of one event (row or RecordRow), or None."""
    sizes = [Size(row.water_equivalent_diameter, row.derived_effective_diameter,
                  row.measured_ap_dimension, row.measured_lateral_dimension)
             for row in event.sizespecificdoseestimation_set]
    return estimate(event.mean_ctdivol, _code_value(event.ctdiw_phantom_type), sizes)


def apply(event) -> bool:
    """Set the event's ``ssde``, ``ssde_method`` and ``ssde_diameter``; True when they changed."""
    found = event_estimate(event)
    values = (found.ssde, found.method, found.diameter) if found else (None, None, None)
    before = (event.ssde, event.ssde_method, event.ssde_diameter)
    if before == values:
        return False
    event.ssde, event.ssde_method, event.ssde_diameter = values
    return True


def apply_to_study(study) -> None:
    """Set the SSDE of every CT event of a study (row or RecordRow)."""
    for dose in study.ctradiationdose_set:
        for event in dose.ctirradiationeventdata_set:
            apply(event)


def recompute(batch_size: int = 500, progress=None) -> tuple[int, int]:
    """Recompute the SSDE of every stored CT event; (events read, events changed).

    Events are read in batches by id, each batch committed, so the work can be stopped and
    started again. ``progress`` is called with the number of events of each batch.
    """
    seen = changed = 0
    last_id = 0
    while True:
        events = db.session.scalars(
            select(CtIrradiationEventData)
            .where(CtIrradiationEventData.id > last_id)
            .order_by(CtIrradiationEventData.id).limit(batch_size)
            .options(selectinload(CtIrradiationEventData.sizespecificdoseestimation_set))
        ).all()
        if not events:
            return seen, changed
        for event in events:
            changed += apply(event)
        seen += len(events)
        last_id = events[-1].id
        db.session.commit()
        db.session.expunge_all()  # keep memory flat over millions of events
        if progress is not None:
            progress(len(events))
