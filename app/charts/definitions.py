"""The charts of each modality, as configuration.

A chart names what it summarises: ``values(studies)`` returns ``value``, ``category`` and
``study_id`` columns for the studies of the subquery ``studies`` (the list's filters), and
``kind`` says how they are drawn: ``"category"`` (one bar or box per category), ``"time"``
(per month) or ``"workload"`` (studies per weekday and hour). Adding a chart is adding an
entry here.
"""
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Integer, cast, extract, func, literal, select

from ..extensions import db
from ..models.ct import CtIrradiationEventData, CtRadiationDose
from ..models.nm import RadiopharmaceuticalAdministrationEventData, RadiopharmaceuticalRadiationDose
from ..models.projection import (
    IrradEventXRayData,
    IrradEventXRaySourceData,
    ProjectionXRayRadiationDose,
)
from ..models.study import GeneralStudyModuleAttr as Study


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # "category", "time" or "workload"
    quantity: str  # the value's name on the axis ("DLP"); "" for counts
    unit: str  # the stored unit, as shown on the axis
    values: Callable  # studies subquery -> Select(value, category, study_id)
    scale: float = 1.0  # stored unit -> shown unit
    #: (DRL quantity, name field) where the categories can carry a DRL line (``overlay``).
    drl: tuple[str, str] | None = None


def _month():
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(Study.study_date, "YYYY-MM")
    return func.strftime("%Y-%m", Study.study_date)


def _weekday_hour():
    """0 = Sunday ... 6 = Saturday, and the hour, as integers."""
    if db.session.get_bind().dialect.name == "postgresql":
        return (cast(extract("dow", Study.study_date), Integer),
                cast(extract("hour", Study.study_time), Integer))
    return (cast(func.strftime("%w", Study.study_date), Integer),
            cast(func.strftime("%H", Study.study_time), Integer))


def study_values(value, category):
    def values(studies):
        return (select(value.label("value"), category.label("category"),
                       Study.id.label("study_id"))
                .join(studies, studies.c.id == Study.id))
    return values


def per_month(value):
    return lambda studies: study_values(value, _month())(studies)


def ct_event_values(value, category):
    def values(studies):
        return (select(value.label("value"), category.label("category"),
                       CtRadiationDose.general_study_module_attr_id.label("study_id"))
                .join(CtRadiationDose,
                      CtRadiationDose.id == CtIrradiationEventData.ct_radiation_dose_id)
                .join(studies, studies.c.id == CtRadiationDose.general_study_module_attr_id))
    return values


def projection_event_values(value, category, source=False):
    def values(studies):
        query = select(value.label("value"), category.label("category"),
                       ProjectionXRayRadiationDose.general_study_module_attr_id.label("study_id"))
        if source:
            query = query.select_from(IrradEventXRaySourceData).join(
                IrradEventXRayData,
                IrradEventXRayData.id == IrradEventXRaySourceData.irrad_event_xray_data_id)
        return (query.join(ProjectionXRayRadiationDose, ProjectionXRayRadiationDose.id
                           == IrradEventXRayData.projection_xray_radiation_dose_id)
                .join(studies, studies.c.id == ProjectionXRayRadiationDose.general_study_module_attr_id))
    return values


def administration_values(value, category):
    event = RadiopharmaceuticalAdministrationEventData

    def values(studies):
        return (select(value.label("value"), category.label("category"),
                       RadiopharmaceuticalRadiationDose.general_study_module_attr_id.label("study_id"))
                .join(RadiopharmaceuticalRadiationDose, RadiopharmaceuticalRadiationDose.id
                      == event.radiopharmaceutical_radiation_dose_id)
                .join(Study, Study.id == RadiopharmaceuticalRadiationDose.general_study_module_attr_id)
                .join(studies,
                      studies.c.id == RadiopharmaceuticalRadiationDose.general_study_module_attr_id))
    return values


def workload(studies):
    weekday, hour = _weekday_hour()
    return (select(hour.label("value"), weekday.label("category"), Study.id.label("study_id"))
            .join(studies, studies.c.id == Study.id))


WORKLOAD = Chart("workload", "Studies per weekday and hour", "workload", "", "", workload)
_EVENT = CtIrradiationEventData
_SOURCE = IrradEventXRaySourceData
_NM_EVENT = RadiopharmaceuticalAdministrationEventData

CHARTS = {
    "ct": (
        Chart("dlp_study_description", "DLP per study description", "category", "DLP",
              "mGy·cm", study_values(Study.total_dlp, Study.study_description),
              drl=("dlp", "study_description")),
        Chart("dlp_requested_procedure", "DLP per requested procedure", "category", "DLP",
              "mGy·cm", study_values(Study.total_dlp, Study.requested_procedure_code_meaning),
              drl=("dlp", "requested_procedure")),
        Chart("ctdivol_protocol", "CTDIvol per acquisition protocol", "category", "CTDIvol",
              "mGy", ct_event_values(_EVENT.mean_ctdivol, _EVENT.acquisition_protocol),
              drl=("ctdivol", "acquisition_protocol")),
        Chart("dlp_protocol", "DLP per acquisition protocol", "category", "DLP", "mGy·cm",
              ct_event_values(_EVENT.dlp, _EVENT.acquisition_protocol)),
        Chart("dlp_month", "DLP per month", "time", "DLP", "mGy·cm", per_month(Study.total_dlp)),
        WORKLOAD,
    ),
    "rf": (
        Chart("dap_study_description", "Total DAP per study description", "category", "DAP",
              "cGy·cm²", study_values(Study.total_dap, Study.study_description), scale=1e6,
              drl=("dap", "study_description")),
        Chart("dap_requested_procedure", "Total DAP per requested procedure", "category",
              "DAP", "cGy·cm²", study_values(Study.total_dap, Study.requested_procedure_code_meaning),
              scale=1e6),
        Chart("dap_month", "Total DAP per month", "time", "DAP", "cGy·cm²",
              per_month(Study.total_dap), scale=1e6),
        WORKLOAD,
    ),
    "mg": (
        Chart("agd_protocol", "AGD per acquisition protocol", "category", "AGD", "mGy",
              projection_event_values(_SOURCE.average_glandular_dose,
                                      IrradEventXRayData.acquisition_protocol, source=True),
              drl=("agd", "acquisition_protocol")),
        WORKLOAD,
    ),
    "dx": (
        Chart("dap_protocol", "DAP per acquisition protocol", "category", "DAP", "cGy·cm²",
              projection_event_values(IrradEventXRayData.dose_area_product,
                                      IrradEventXRayData.acquisition_protocol), scale=1e6),
        Chart("dap_study_description", "Total DAP per study description", "category", "DAP",
              "cGy·cm²", study_values(Study.total_dap, Study.study_description), scale=1e6,
              drl=("dap", "study_description")),
        Chart("dap_month", "Total DAP per month", "time", "DAP", "cGy·cm²",
              per_month(Study.total_dap), scale=1e6),
        WORKLOAD,
    ),
    "nm": (
        Chart("activity_study_description", "Administered activity per study description",
              "category", "Activity", "MBq",
              administration_values(_NM_EVENT.administered_activity, Study.study_description),
              drl=("activity", "study_description")),
        WORKLOAD,
    ),
}
