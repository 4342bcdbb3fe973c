"""SSDE on CT irradiation events: computed at import and recomputed for stored events.

Works on stored rows and on records alike (``importing.rows.RecordRow``), as the summary
fields do.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models.ct import CtIrradiationEventData, CtRadiationDose
from ..models.study import GeneralStudyModuleAttr
from .aapm import Size, estimate
from .sources import StudySizes, study_sizes


def _code_value(code):
    return code.code_value if code is not None else None


def event_estimate(event, others: StudySizes | None = None):
    """The AAPM estimate of one event (row or RecordRow), or None.

    ``others`` are the study's sizes from outside the report (localizer, size import).
    """
    sizes = [Size(row.water_equivalent_diameter, row.derived_effective_diameter,
                  row.measured_ap_dimension, row.measured_lateral_dimension)
             for row in event.sizespecificdoseestimation_set]
    fallbacks = others.fallbacks(event) if others is not None else ()
    return estimate(event.mean_ctdivol, _code_value(event.ctdiw_phantom_type), sizes, fallbacks)


def apply(event, others: StudySizes | None = None) -> bool:
    """Set the event's ``ssde``, ``ssde_method`` and ``ssde_diameter``; True when they changed."""
    found = event_estimate(event, others)
    values = (found.ssde, found.method, found.diameter) if found else (None, None, None)
    before = (event.ssde, event.ssde_method, event.ssde_diameter)
    if before == values:
        return False
    event.ssde, event.ssde_method, event.ssde_diameter = values
    return True


def apply_to_study(study) -> None:
    """Set the SSDE of every CT event of a study (row or RecordRow)."""
    others = None
    for dose in study.ctradiationdose_set:
        for event in dose.ctirradiationeventdata_set:
            if others is None:
                others = study_sizes(study.study_instance_uid)
            apply(event, others)


def recompute_study(study_instance_uid) -> int:
    """Recompute the SSDE of the CT events stored under one Study Instance UID (a localizer
    or a size import arrived); the number of events changed. The caller commits."""
    others = study_sizes(study_instance_uid)
    events = db.session.scalars(
        select(CtIrradiationEventData)
        .join(CtRadiationDose, CtRadiationDose.id == CtIrradiationEventData.ct_radiation_dose_id)
        .join(GeneralStudyModuleAttr,
              GeneralStudyModuleAttr.id == CtRadiationDose.general_study_module_attr_id)
        .where(GeneralStudyModuleAttr.study_instance_uid == study_instance_uid)
        .options(selectinload(CtIrradiationEventData.sizespecificdoseestimation_set),
                 selectinload(CtIrradiationEventData.scanninglength_set))).all()
    return sum(apply(event, others) for event in events)


def _reported(event) -> bool:
    return any(row.water_equivalent_diameter or row.derived_effective_diameter
               or (row.measured_ap_dimension and row.measured_lateral_dimension)
               for row in event.sizespecificdoseestimation_set)


def recompute(batch_size: int = 500, progress=None) -> tuple[int, int]:
    """Recompute the SSDE of every stored CT event; (events read, events changed).

    Events are read in batches by id, each batch committed, so the work can be stopped and
    started again. ``progress`` is called with the number of events of each batch.
    """
    seen = changed = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(CtIrradiationEventData, GeneralStudyModuleAttr.study_instance_uid)
            .join(CtRadiationDose, CtRadiationDose.id == CtIrradiationEventData.ct_radiation_dose_id)
            .join(GeneralStudyModuleAttr,
                  GeneralStudyModuleAttr.id == CtRadiationDose.general_study_module_attr_id)
            .where(CtIrradiationEventData.id > last_id)
            .order_by(CtIrradiationEventData.id).limit(batch_size)
            .options(selectinload(CtIrradiationEventData.sizespecificdoseestimation_set),
                     selectinload(CtIrradiationEventData.scanninglength_set))
        ).all()
        if not rows:
            return seen, changed
        events = [event for event, _ in rows]
        # Sizes from outside the report, only for the studies whose events the report leaves
        # without a size.
        others = {}
        for event, study_uid in rows:
            if not _reported(event) and study_uid not in others:
                others[study_uid] = study_sizes(study_uid)
            changed += apply(event, others.get(study_uid))
        seen += len(events)
        last_id = events[-1].id
        db.session.commit()
        db.session.expunge_all()  # keep memory flat over millions of events
        if progress is not None:
            progress(len(events))
