"""The kinds of alert rule: which stored value each watches, in which unit, for which modality.

Every kind measures studies in the database from values importing stored (summary fields and
event rows), so a rule applies the same way at import and to studies stored long ago.
``measure(session, kind, study_ids, weeks)`` gives ``{study id: (value, detail)}`` for the
studies that have a value; a rule fires where the value reaches its threshold.
"""
import datetime
from dataclasses import dataclass
from functools import cache
from typing import Callable, NamedTuple

from sqlalchemy import bindparam, case, func, select

from ..extractors.units import UnknownUnit, factor
from ..models.ct import CtDoseCheckDetails, CtIrradiationEventData, CtRadiationDose
from ..models.drl import REQUESTED_PROCEDURE, STUDY_DESCRIPTION, DrlSet, DrlValue, StandardName
from ..models.nm import RadiopharmaceuticalAdministrationEventData, RadiopharmaceuticalRadiationDose
from ..models.projection import (IrradEventXRayData, IrradEventXRaySourceData,
                                 ProjectionXRayRadiationDose)
from ..models.skindose import SkinDoseMap
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
    #: A statement over the studies ``ids`` (expanding parameter) and the function turning
    #: its rows into ``{study id: (value, detail)}``; or, for cumulative kinds, ``measure``.
    statement: object = None
    reduce: Callable | None = None
    measure: Callable | None = None
    cumulative: bool = False
    has_threshold: bool = True
    #: For kinds that read one summary value of the study: its name in ``StudyFacts``.
    summary: str | None = None

    def shown(self, stored: float | None) -> float | None:
        """A stored value in the unit people read."""
        return None if stored is None else stored * self.scale

    def stored(self, shown: float | None) -> float | None:
        """A value typed in the unit people read, in the stored unit."""
        return None if shown is None else shown / self.scale


#: The study ids a measurement is for. Statements are built once, with this parameter: an
#: import measures every object, and building a statement costs more than running it.
IDS = bindparam("ids", expanding=True)

#: The study's dose at the reference point over both planes (None when neither has one).
RP_DOSE = case(
    (Study.total_rp_dose_a.is_(None) & Study.total_rp_dose_b.is_(None), None),
    else_=func.coalesce(Study.total_rp_dose_a, 0.0) + func.coalesce(Study.total_rp_dose_b, 0.0))


def _per_study(column):
    """(statement, reduce) of a summary column of the study."""
    return {"statement": select(Study.id, column).where(Study.id.in_(IDS), column.is_not(None)),
            "reduce": lambda rows: {study_id: (value, None) for study_id, value in rows}}


def _highest(statement, label):
    """(statement, reduce): the highest value per study of ``(study id, value, protocol)``."""

    def reduce(rows):
        found = {}
        for study_id, value, protocol in rows:
            if study_id not in found or value > found[study_id][0]:
                found[study_id] = (value, f"{label} {protocol!r}" if protocol else None)
        return found
    return {"statement": statement, "reduce": reduce}


_highest_ctdivol = _highest(
    select(CtRadiationDose.general_study_module_attr_id, CtIrradiationEventData.mean_ctdivol,
           CtIrradiationEventData.acquisition_protocol)
    .join(CtIrradiationEventData.ct_radiation_dose)
    .where(CtRadiationDose.general_study_module_attr_id.in_(IDS),
           CtIrradiationEventData.mean_ctdivol.is_not(None)), "event")

_highest_agd = _highest(
    select(ProjectionXRayRadiationDose.general_study_module_attr_id,
           IrradEventXRaySourceData.average_glandular_dose,
           IrradEventXRayData.acquisition_protocol)
    .join(IrradEventXRaySourceData.irrad_event_xray_data)
    .join(IrradEventXRayData.projection_xray_radiation_dose)
    .where(ProjectionXRayRadiationDose.general_study_module_attr_id.in_(IDS),
           IrradEventXRaySourceData.average_glandular_dose.is_not(None)), "view")

_ACTIVITY = (
    select(RadiopharmaceuticalRadiationDose.general_study_module_attr_id,
           func.sum(RadiopharmaceuticalAdministrationEventData.administered_activity),
           func.count(RadiopharmaceuticalAdministrationEventData.administered_activity))
    .join(RadiopharmaceuticalAdministrationEventData.radiopharmaceutical_radiation_dose)
    .where(RadiopharmaceuticalRadiationDose.general_study_module_attr_id.in_(IDS),
           RadiopharmaceuticalAdministrationEventData.administered_activity.is_not(None))
    .group_by(RadiopharmaceuticalRadiationDose.general_study_module_attr_id))


_administered_activity = {
    "statement": _ACTIVITY,
    "reduce": lambda rows: {study_id: (total, f"{count} administrations" if count > 1 else None)
                            for study_id, total, count in rows}}


_CHECK = CtDoseCheckDetails
_DOSE_CHECKS = (
    select(CtRadiationDose.general_study_module_attr_id,
           CtIrradiationEventData.acquisition_protocol,
           _CHECK.accumulated_dlp_forward_estimate, _CHECK.dlp_alert_value,
           _CHECK.accumulated_ctdivol_forward_estimate, _CHECK.ctdivol_alert_value,
           _CHECK.alert_reason_for_proceeding,
           _CHECK.dlp_forward_estimate, _CHECK.dlp_notification_value,
           _CHECK.ctdivol_forward_estimate, _CHECK.ctdivol_notification_value,
           _CHECK.notification_reason_for_proceeding)
    .join(_CHECK.ct_irradiation_event_data)
    .join(CtIrradiationEventData.ct_radiation_dose)
    .where(CtRadiationDose.general_study_module_attr_id.in_(IDS)))


def _dose_check_alerts(rows):
    """NEMA XR 25 alerts and notifications the scanner recorded (TID 10015).

    The value is the forward estimate that went past a configured value, as a ratio to it
    (1.2: 20 % over), so that DLP and CTDIvol estimates can be told apart in the detail.
    """
    found = {}
    for (study_id, protocol, dlp_estimate, dlp_alert, ctdivol_estimate, ctdivol_alert,
         alert_reason, dlp_forward, dlp_notification, ctdivol_forward, ctdivol_notification,
         notification_reason) in rows:
        for what, estimate, configured_value, reason in (
                ("DLP alert", dlp_estimate, dlp_alert, alert_reason),
                ("CTDIvol alert", ctdivol_estimate, ctdivol_alert, alert_reason),
                ("DLP notification", dlp_forward, dlp_notification, notification_reason),
                ("CTDIvol notification", ctdivol_forward, ctdivol_notification,
                 notification_reason)):
            exceeded = (estimate is not None and configured_value
                        and estimate >= configured_value)
            if exceeded:
                ratio = estimate / configured_value
                text = f"{what}: forward estimate {estimate:g} over configured {configured_value:g}"
            elif reason and estimate is None:
                # The scanner recorded that someone proceeded past a check it gives no values
                # for: still an alert the physicist should see.
                ratio, text = 1.0, f"{what} recorded"
            else:
                continue
            text += ((f" ({protocol})" if protocol else "")
                     + (f"; reason for proceeding: {reason}" if reason else ""))
            if study_id not in found or ratio > found[study_id][0]:
                found[study_id] = (ratio, text)
    return found


_dose_checks = {"statement": _DOSE_CHECKS, "reduce": _dose_check_alerts}


_TARGETS = (
    select(Study.id, Study.study_date, Study.modality_type, PatientModuleAttr.patient_id)
    .join(PatientModuleAttr, PatientModuleAttr.general_study_module_attr_id == Study.id)
    .where(Study.id.in_(IDS), Study.study_date.is_not(None),
           PatientModuleAttr.patient_id.is_not(None),
           PatientModuleAttr.not_patient_indicator.is_(None)))


def _cumulative(per_study):
    """A patient's per-study values summed over the ``weeks`` up to each study's date."""
    history_statement = (
        select(Study.id, Study.study_date, PatientModuleAttr.patient_id, per_study)
        .join(PatientModuleAttr, PatientModuleAttr.general_study_module_attr_id == Study.id)
        .where(PatientModuleAttr.patient_id.in_(bindparam("patients", expanding=True)),
               Study.modality_type.in_(bindparam("types", expanding=True)),
               Study.study_date.is_not(None), per_study.is_not(None)))

    def measure(session, study_ids, weeks=None):
        weeks = weeks or 1
        targets = session.execute(_TARGETS, {"ids": study_ids}).all()
        if not targets:
            return {}
        patients = sorted({row.patient_id for row in targets})
        types = sorted({row.modality_type for row in targets})
        history = {}
        for study_id, date, patient, value in session.execute(
                history_statement, {"patients": patients, "types": types}):
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


#: Each study's largest single administration, with its study description and requested
#: procedure: the names a DRL set's examinations are mapped from.
_LARGEST_ADMINISTRATION = (
    select(Study.id, Study.study_description, Study.requested_procedure_code_meaning,
           func.max(RadiopharmaceuticalAdministrationEventData.administered_activity))
    .join(RadiopharmaceuticalRadiationDose,
          RadiopharmaceuticalRadiationDose.general_study_module_attr_id == Study.id)
    .join(RadiopharmaceuticalAdministrationEventData,
          RadiopharmaceuticalAdministrationEventData.radiopharmaceutical_radiation_dose_id
          == RadiopharmaceuticalRadiationDose.id)
    .where(Study.id.in_(IDS),
           RadiopharmaceuticalAdministrationEventData.administered_activity.is_not(None))
    .group_by(Study.id, Study.study_description, Study.requested_procedure_code_meaning))

_NM_MAPPINGS = (
    select(StandardName.field, StandardName.name, StandardName.standard_name)
    .where(StandardName.modality == "NM",
           StandardName.field.in_((STUDY_DESCRIPTION, REQUESTED_PROCEDURE)),
           StandardName.name.in_(bindparam("names", expanding=True))))

_NM_ACTIVITY_DRLS = (
    select(DrlValue.examination, DrlValue.value, DrlValue.unit, DrlSet.name)
    .join(DrlValue.drl_set)
    .where(DrlValue.modality == "NM", DrlValue.quantity == "activity",
           DrlValue.examination.in_(bindparam("examinations", expanding=True))))


def _activity_against_drl(connection, study_ids, weeks=None):
    """Each study's largest administration as a ratio of the activity its examination's DRL
    gives (1.0: at the DRL).

    The examination comes from the standard-name mapping of the study description or the
    requested procedure; where loaded sets give several values for it, the smallest governs,
    so a local set of prescribed activities (normally below the national levels) is the
    reference wherever it is loaded.
    """
    studies = connection.execute(_LARGEST_ADMINISTRATION, {"ids": list(study_ids)}).all()
    names = sorted({name for row in studies for name in row[1:3] if name})
    if not names:
        return {}
    mapped = {(field, name): standard for field, name, standard
              in connection.execute(_NM_MAPPINGS, {"names": names})}
    if not mapped:
        return {}
    references = {}
    for examination, value, unit, set_name in connection.execute(
            _NM_ACTIVITY_DRLS, {"examinations": sorted(set(mapped.values()))}):
        try:
            in_mbq = value * factor(unit, "MBq")
        except (UnknownUnit, ValueError):
            continue
        if in_mbq > 0 and (examination not in references or in_mbq < references[examination][0]):
            references[examination] = (in_mbq, set_name)
    found = {}
    for study_id, description, procedure, activity in studies:
        for examination in (mapped.get((STUDY_DESCRIPTION, description)),
                            mapped.get((REQUESTED_PROCEDURE, procedure))):
            if examination in references:
                reference, set_name = references[examination]
                found[study_id] = (activity / reference,
                                   f"{activity:g} MBq against {reference:g} MBq for "
                                   f"{examination!r} ({set_name})")
                break
    return found


DAP_UNIT, DAP_SCALE = "cGy·cm²", 1e6

KINDS: dict[str, Kind] = {kind.key: kind for kind in (
    Kind("ct_dlp", "Total DLP of the study", ("ct",), "mGy·cm", 1.0,
         **_per_study(Study.total_dlp), summary="total_dlp"),
    Kind("ct_ctdivol", "CTDIvol of any one event", ("ct",), "mGy", 1.0, **_highest_ctdivol),
    Kind("ct_dose_check", "Dose check alert or notification recorded by the scanner (NEMA XR 25)",
         ("ct",), "× configured value", 1.0, **_dose_checks, has_threshold=False),
    Kind("dap", "Total DAP of the study", ("rf", "dx"), DAP_UNIT, DAP_SCALE,
         **_per_study(Study.total_dap), summary="total_dap"),
    Kind("rp_dose", "Total dose at the reference point of the study", ("rf", "dx"), "Gy", 1.0,
         **_per_study(RP_DOSE), summary="rp_dose"),
    Kind("dap_cumulative", "Total DAP of the patient's studies over the last weeks",
         ("rf", "dx"), DAP_UNIT, DAP_SCALE, measure=_cumulative(Study.total_dap),
         cumulative=True),
    Kind("rp_dose_cumulative",
         "Dose at the reference point of the patient's studies over the last weeks",
         ("rf", "dx"), "Gy", 1.0, measure=_cumulative(RP_DOSE), cumulative=True),
    # Computed after import by the skin dose task (app/skindose), which applies these rules
    # to the study once its map is stored.
    Kind("peak_skin_dose", "Peak skin dose of the study (skin dose map)", ("rf",), "Gy", 1.0,
         statement=select(SkinDoseMap.general_study_module_attr_id, SkinDoseMap.peak_skin_dose)
         .where(SkinDoseMap.general_study_module_attr_id.in_(IDS),
                SkinDoseMap.peak_skin_dose.is_not(None)),
         reduce=lambda rows: {study_id: (value, None) for study_id, value in rows}),
    Kind("mg_agd", "Average glandular dose of any one view", ("mg",), "mGy", 1.0,
         **_highest_agd),
    Kind("nm_activity", "Administered activity of the study", ("nm",), "MBq", 1.0,
         **_administered_activity),
    Kind("nm_activity_drl",
         "Largest administered activity against the examination's DRL or prescribed activity",
         ("nm",), "× DRL", 1.0, measure=_activity_against_drl),
)}


class StudyFacts(NamedTuple):
    """What one query tells of a study: enough for the rules of most kinds."""

    modality_type: str | None
    system_id: int | None
    total_dlp: float | None
    total_dap: float | None
    rp_dose: float | None
    patient_id: str | None
    patient_id_hashed: bool | None


def _facts_statement():
    patient = (select(PatientModuleAttr.patient_id, PatientModuleAttr.id_hashed)
               .where(PatientModuleAttr.general_study_module_attr_id == Study.id)
               .order_by(PatientModuleAttr.id).limit(1).correlate(Study))
    return select(
        Study.id, Study.modality_type, Study.unique_equipment_name_id, Study.total_dlp,
        Study.total_dap, RP_DOSE,
        patient.with_only_columns(PatientModuleAttr.patient_id).scalar_subquery(),
        patient.with_only_columns(PatientModuleAttr.id_hashed).scalar_subquery(),
    ).where(Study.id.in_(bindparam("ids", expanding=True)))


#: Built once: an import asks it for every object, and building it costs more than running it.
FACTS_STATEMENT = _facts_statement()


def study_facts(session, study_ids) -> dict[int, StudyFacts]:
    """``StudyFacts`` of each study (its first patient row's ID)."""
    rows = session.connection().execute(FACTS_STATEMENT, {"ids": list(study_ids)})
    return {row[0]: StudyFacts(*row[1:]) for row in rows}


def measure(session, kind: Kind, study_ids, weeks=None, facts=None) -> dict:
    """``{study id: (value in the stored unit, detail)}`` for the studies that have one.

    ``facts`` (``study_facts``), when given, answers the kinds that read a summary value.
    """
    study_ids = list(study_ids)
    if not study_ids:
        return {}
    if kind.summary and facts is not None and all(i in facts for i in study_ids):
        values = ((i, getattr(facts[i], kind.summary)) for i in study_ids)
        return {i: (value, None) for i, value in values if value is not None}
    # Core statements on the session's connection: the ORM layer would only add its overhead.
    connection = session.connection()
    if kind.statement is not None:
        return kind.reduce(connection.execute(kind.statement, {"ids": study_ids}))
    return kind.measure(connection, study_ids, weeks)


@cache
def single_study_sql(dialect, statement) -> tuple[str, dict]:
    """A kind's statement (or the facts') as driver SQL for one study, and its parameters
    with the study id under ``ids_1``, for sending several in one round trip."""
    compiled = statement.params(ids=[0]).compile(
        dialect=dialect, compile_kwargs={"render_postcompile": True})
    return compiled.string, dict(compiled.params)


def reaches(kind: Kind, value, threshold) -> bool:
    """Whether a measured value fires a rule (dose checks fire whenever one is recorded)."""
    if value is None:
        return False
    if not kind.has_threshold:
        return True
    return threshold is not None and value >= threshold

