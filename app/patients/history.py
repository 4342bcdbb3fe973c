"""A patient's studies across modalities, with the doses that add up over time.

A patient is known by the patient ID stored with their studies (hashed or as sent, as the
site's identifier settings say), so the history exists only where IDs are stored. Studies are
matched on the stored value and on whether it is hashed, so a digest never matches an ID
stored as sent.
"""
import datetime
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..alerts.kinds import RP_DOSE, modality_of
from ..models.nm import RadiopharmaceuticalAdministrationEventData, RadiopharmaceuticalRadiationDose
from ..models.study import GeneralStudyModuleAttr as Study, PatientModuleAttr

#: The quantities summed over a period: (key, label, unit, scale from the stored unit).
QUANTITIES = (
    ("dlp", "DLP", "mGy·cm", 1.0),
    ("dap", "DAP", "cGy·cm²", 1e6),
    ("rp_dose", "Dose at RP", "Gy", 1.0),
    ("activity", "Administered activity", "MBq", 1.0),
)


@dataclass
class PatientStudy:
    """One study on the patient's timeline, its doses in the units people read, and the
    sums from the start of the period up to and including it."""

    id: int
    modality: str | None
    modality_type: str | None
    date: datetime.date | None
    time: datetime.time | None
    description: str | None
    doses: dict
    cumulative: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Patient:
    """The stored patient ID of a study, and whether it is a digest."""

    patient_id: str
    hashed: bool


def patient_of(session, study_id: int) -> Patient | None:
    """The patient of a study, or None when the study has no stored patient ID."""
    row = session.execute(select(PatientModuleAttr.patient_id, PatientModuleAttr.id_hashed)
                          .where(PatientModuleAttr.general_study_module_attr_id == study_id,
                                 PatientModuleAttr.patient_id.is_not(None))
                          .order_by(PatientModuleAttr.id).limit(1)).first()
    return Patient(row.patient_id, bool(row.id_hashed)) if row else None


def studies_of(session, patient: Patient, date_from=None, date_to=None) -> list[PatientStudy]:
    """The patient's studies in the period (dates inclusive), oldest first, with running sums."""
    activity = (select(RadiopharmaceuticalRadiationDose.general_study_module_attr_id.label("sid"),
                       func.sum(RadiopharmaceuticalAdministrationEventData.administered_activity)
                       .label("activity"))
                .join(RadiopharmaceuticalAdministrationEventData.radiopharmaceutical_radiation_dose)
                .group_by(RadiopharmaceuticalRadiationDose.general_study_module_attr_id)
                .subquery())
    ids = (select(PatientModuleAttr.general_study_module_attr_id)
           .where(PatientModuleAttr.patient_id == patient.patient_id,
                  PatientModuleAttr.id_hashed.is_(patient.hashed)))
    query = (select(Study.id, Study.modality_type, Study.study_date, Study.study_time,
                    Study.study_description, Study.total_dlp, Study.total_dap,
                    RP_DOSE.label("rp_dose"), activity.c.activity)
             .outerjoin(activity, activity.c.sid == Study.id)
             .where(Study.id.in_(ids))
             .order_by(Study.study_date.is_(None), Study.study_date, Study.study_time, Study.id))
    if date_from:
        query = query.where(Study.study_date >= date_from)
    if date_to:
        query = query.where(Study.study_date <= date_to)
    found = []
    sums = dict.fromkeys(key for key, *_ in QUANTITIES)
    for row in session.execute(query):
        stored = {"dlp": row.total_dlp, "dap": row.total_dap, "rp_dose": row.rp_dose,
                  "activity": row.activity}
        doses = {key: None if stored[key] is None else stored[key] * scale
                 for key, _, _, scale in QUANTITIES}
        for key, value in doses.items():
            if value is not None:
                sums[key] = (sums[key] or 0.0) + value
        found.append(PatientStudy(row.id, modality_of(row.modality_type), row.modality_type,
                                  row.study_date, row.study_time, row.study_description, doses,
                                  dict(sums)))
    return found


def timeline(studies, width=800, margin=20) -> list[dict]:
    """x positions (in a ``width`` wide drawing) of the dated studies, by their dates."""
    dated = [s for s in studies if s.date is not None]
    if not dated:
        return []
    first, last = dated[0].date, dated[-1].date
    span = max((last - first).days, 1)
    return [{"study": s, "x": margin + (width - 2 * margin) * (s.date - first).days / span}
            for s in dated]
