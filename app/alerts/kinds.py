"""The kinds of alert rule: which stored value each watches, in which unit, for which modality.

Every kind measures studies in the database from values importing stored (summary fields and
event rows), so a rule applies the same way at import and to studies stored long ago.
``measure(session, kind, study_ids, weeks)`` gives ``{study id: (value, detail)}`` for the
studies that have a value; a rule fires where the value reaches its threshold.
"""
import datetime
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import case, func, select

from ..models.ct import CtDoseCheckDetails, CtIrradiationEventData, CtRadiationDose
from ..models.nm import RadiopharmaceuticalAdministrationEventData, RadiopharmaceuticalRadiationDose
from ..models.projection import (IrradEventXRayData, IrradEventXRaySourceData,
                                 ProjectionXRayRadiationDose)
from ..models.study import GeneralStudyModuleAttr as Study, PatientModuleAttr

#: The study modality types each modality page key covers (DX covers CR and PX).
MODALITY_TYPES = {"ct": ("CT",), "rf": ("RF",), "mg": ("MG",), "dx": ("DX", "CR", "PX"),
                  "nm": ("NM",)}
MODALITY_LABELS = {"ct": "CT", "rf": "Fluoroscopy", "mg": "Mammography", "dx": "Radiography",
                   "nm": "Nuclear medicine"}


def modality_of(modality_type: str | None) -> str | None:
    """The modality key ("ct", "dx", ...) of a study's modality type, or None."""
    for key, types in MODALITY_TYPES.items():
        if modality_type in types:
            return key
    return None


@dataclass(frozen=True)
class Kind:
    """A quantity a rule can watch.

    ``unit`` is the unit people read and type thresholds in; ``scale`` turns the stored
    unit into it (a DAP stored in Gy·m² is shown in cGy·cm²: 1e6).
    """

    key: str
    label: str
    modalities: tuple[str, ...]
    unit: str
    scale: float
    measure: Callable
    cumulative: bool = False
    has_threshold: bool = True

    def shown(self, stored: float | None) -> float | None:
        """A stored value in the unit people read."""
        return None if stored is None else stored * self.scale

    def stored(self, shown: float | None) -> float | None:
        """A value typed in the unit people read, in the stored unit."""
        return None if shown is None else shown / self.scale


def _per_study(column):
    def measure(session, study_ids, weeks=None):
        rows = session.execute(select(Study.id, column).where(Study.id.in_(study_ids),
                                                              column.is_not(None)))
        return {study_id: (value, None) for study_id, value in rows}
    return measure


#: The study's dose at the reference point over both planes (None when neither has one).
RP_DOSE = case(
    (Study.total_rp_dose_a.is_(None) & Study.total_rp_dose_b.is_(None), None),
    else_=func.coalesce(Study.total_rp_dose_a, 0.0) + func.coalesce(Study.total_rp_dose_b, 0.0))


def _highest_ctdivol(session, study_ids, weeks=None):
    rows = session.execute(
        select(CtRadiationDose.general_study_module_attr_id, CtIrradiationEventData.mean_ctdivol,
               CtIrradiationEventData.acquisition_protocol)
        .join(CtIrradiationEventData.ct_radiation_dose)
        .where(CtRadiationDose.general_study_module_attr_id.in_(study_ids),
               CtIrradiationEventData.mean_ctdivol.is_not(None)))
    found = {}
    for study_id, ctdivol, protocol in rows:
        if study_id not in found or ctdivol > found[study_id][0]:
            found[study_id] = (ctdivol, f"event {protocol!r}" if protocol else None)
    return found


def _highest_agd(session, study_ids, weeks=None):
    rows = session.execute(
        select(ProjectionXRayRadiationDose.general_study_module_attr_id,
               IrradEventXRaySourceData.average_glandular_dose,
               IrradEventXRayData.acquisition_protocol)
        .join(IrradEventXRaySourceData.irrad_event_xray_data)
        .join(IrradEventXRayData.projection_xray_radiation_dose)
        .where(ProjectionXRayRadiationDose.general_study_module_attr_id.in_(study_ids),
               IrradEventXRaySourceData.average_glandular_dose.is_not(None)))
    found = {}
    for study_id, agd, protocol in rows:
        if study_id not in found or agd > found[study_id][0]:
            found[study_id] = (agd, f"view {protocol!r}" if protocol else None)
    return found


def _administered_activity(session, study_ids, weeks=None):
    rows = session.execute(
        select(RadiopharmaceuticalRadiationDose.general_study_module_attr_id,
               func.sum(RadiopharmaceuticalAdministrationEventData.administered_activity),
               func.count(RadiopharmaceuticalAdministrationEventData.administered_activity))
        .join(RadiopharmaceuticalAdministrationEventData.radiopharmaceutical_radiation_dose)
        .where(RadiopharmaceuticalRadiationDose.general_study_module_attr_id.in_(study_ids),
               RadiopharmaceuticalAdministrationEventData.administered_activity.is_not(None))
        .group_by(RadiopharmaceuticalRadiationDose.general_study_module_attr_id))
    return {study_id: (total, f"{count} administrations" if count > 1 else None)
            for study_id, total, count in rows}


def _dose_checks(session, study_ids, weeks=None):
    """NEMA XR 25 alerts and notifications the scanner recorded (TID 10015).

    The value is the forward estimate that went past a configured value, as a ratio to it
    (1.2: 20 % over), so that DLP and CTDIvol estimates can be told apart in the detail.
    """
    rows = session.execute(
        select(CtRadiationDose.general_study_module_attr_id,
               CtIrradiationEventData.acquisition_protocol, CtDoseCheckDetails)
        .join(CtDoseCheckDetails.ct_irradiation_event_data)
        .join(CtIrradiationEventData.ct_radiation_dose)
        .where(CtRadiationDose.general_study_module_attr_id.in_(study_ids)))
    found = {}
    for study_id, protocol, check in rows:
        for what, estimate, configured_value, reason in (
                ("DLP alert", check.accumulated_dlp_forward_estimate, check.dlp_alert_value,
                 check.alert_reason_for_proceeding),
                ("CTDIvol alert", check.accumulated_ctdivol_forward_estimate,
                 check.ctdivol_alert_value, check.alert_reason_for_proceeding),
                ("DLP notification", check.dlp_forward_estimate,
                 check.dlp_notification_value, check.notification_reason_for_proceeding),
                ("CTDIvol notification", check.ctdivol_forward_estimate,
                 check.ctdivol_notification_value, check.notification_reason_for_proceeding)):
            exceeded = (estimate is not None and configured_value
                        and estimate >= configured_value)
            if not exceeded:
                continue
            ratio = estimate / configured_value
            text = (f"{what}: forward estimate {estimate:g} over configured {configured_value:g}"
                    + (f" ({protocol})" if protocol else "")
                    + (f"; reason for proceeding: {reason}" if reason else ""))
            if study_id not in found or ratio > found[study_id][0]:
                found[study_id] = (ratio, text)
    return found


def _cumulative(per_study):
    """A patient's per-study values summed over the ``weeks`` up to each study's date."""

    def measure(session, study_ids, weeks=None):
        weeks = weeks or 1
        targets = session.execute(
            select(Study.id, Study.study_date, Study.modality_type, PatientModuleAttr.patient_id)
            .join(PatientModuleAttr, PatientModuleAttr.general_study_module_attr_id == Study.id)
            .where(Study.id.in_(study_ids), Study.study_date.is_not(None),
                   PatientModuleAttr.patient_id.is_not(None),
                   PatientModuleAttr.not_patient_indicator.is_(None))).all()
        if not targets:
            return {}
        patients = {row.patient_id for row in targets}
        types = {row.modality_type for row in targets}
        history = {}
        for study_id, date, patient, value in session.execute(
                select(Study.id, Study.study_date, PatientModuleAttr.patient_id, per_study)
                .join(PatientModuleAttr,
                      PatientModuleAttr.general_study_module_attr_id == Study.id)
                .where(PatientModuleAttr.patient_id.in_(patients),
                       Study.modality_type.in_(types), Study.study_date.is_not(None),
                       per_study.is_not(None))):
            history.setdefault(patient, {})[study_id] = (date, value)
        found = {}
        window = datetime.timedelta(weeks=weeks)
        for target in targets:
            studies = [(date, value) for date, value in history.get(target.patient_id, {})
                       .values() if target.study_date - window < date <= target.study_date]
            if not studies:
                continue
            first = min(date for date, _ in studies)
            found[target.id] = (sum(value for _, value in studies),
                                f"{len(studies)} studies from {first.isoformat()} to "
                                f"{target.study_date.isoformat()}")
        return found

    return measure


DAP_UNIT, DAP_SCALE = "cGy·cm²", 1e6

KINDS: dict[str, Kind] = {kind.key: kind for kind in (
    Kind("ct_dlp", "Total DLP of the study", ("ct",), "mGy·cm", 1.0,
         _per_study(Study.total_dlp)),
    Kind("ct_ctdivol", "CTDIvol of any one event", ("ct",), "mGy", 1.0, _highest_ctdivol),
    Kind("ct_dose_check", "Dose check alert or notification recorded by the scanner (NEMA XR 25)",
         ("ct",), "× configured value", 1.0, _dose_checks, has_threshold=False),
    Kind("dap", "Total DAP of the study", ("rf", "dx"), DAP_UNIT, DAP_SCALE,
         _per_study(Study.total_dap)),
    Kind("rp_dose", "Total dose at the reference point of the study", ("rf", "dx"), "Gy", 1.0,
         _per_study(RP_DOSE)),
    Kind("dap_cumulative", "Total DAP of the patient's studies over the last weeks",
         ("rf", "dx"), DAP_UNIT, DAP_SCALE, _cumulative(Study.total_dap), cumulative=True),
    Kind("rp_dose_cumulative",
         "Dose at the reference point of the patient's studies over the last weeks",
         ("rf", "dx"), "Gy", 1.0, _cumulative(RP_DOSE), cumulative=True),
    Kind("mg_agd", "Average glandular dose of any one view", ("mg",), "mGy", 1.0, _highest_agd),
    Kind("nm_activity", "Administered activity of the study", ("nm",), "MBq", 1.0,
         _administered_activity),
)}


def measure(session, kind: Kind, study_ids, weeks=None) -> dict:
    """``{study id: (value in the stored unit, detail)}`` for the studies that have one."""
    study_ids = list(study_ids)
    if not study_ids:
        return {}
    return kind.measure(session, study_ids, weeks)


def reaches(kind: Kind, value, threshold) -> bool:
    """Whether a measured value fires a rule (dose checks fire whenever one is recorded)."""
    if value is None:
        return False
    if not kind.has_threshold:
        return True
    return threshold is not None and value >= threshold

