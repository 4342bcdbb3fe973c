"""The charts of each modality, as configuration.

A chart names what it summarises: ``values(where)`` returns ``value``, ``category``, ``x``,
``study_id`` and ``identity`` (the study's system) columns for the studies the condition ``where`` selects (the list's
filters), and ``kind`` says how they are drawn:

- ``"category"``: one bar or box per category (summary statistics of ``value``);
- ``"time"``: the same per month;
- ``"frequency"``: how many values each category has;
- ``"scatter"``: ``value`` against ``x`` (a weight, a thickness), one series per category,
  with the statistics per band of ``x`` as a trend;
- ``"workload"``: studies per weekday and hour.

Values are reached from the study down a ``Path`` (a CT sequence through the study's dose
report); adding a chart is adding an entry to ``CHARTS``.
"""
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Integer, cast, extract, func, null, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models.codes import ContextID
from ..models.ct import CtIrradiationEventData, CtRadiationDose
from ..models.nm import RadiopharmaceuticalAdministrationEventData, RadiopharmaceuticalRadiationDose
from ..models.projection import (
    Exposure,
    IrradEventXRayData,
    IrradEventXRayMechanicalData,
    IrradEventXRaySourceData,
    Kvp,
    ProjectionXRayRadiationDose,
)
from ..models.study import GeneralStudyModuleAttr as Study
from ..models.study import PatientStudyModuleAttr
from ..drl.naming import study_standard_name_joins
from ..modalities.filtering import highest_rp_dose


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # "category", "time", "frequency", "scatter" or "workload"
    quantity: str  # the value's name on the axis ("DLP"); "" for counts
    unit: str  # the shown unit, on the axis
    values: Callable  # condition on Study -> Select(value, category, x, study_id, identity)
    scale: float = 1.0  # stored unit -> shown unit
    #: (DRL quantity, name field) where the categories can carry a DRL line (``overlay``).
    drl: tuple[str, str] | None = None
    #: Scatter charts: the quantity along x, its unit, and the width of its bands.
    x_quantity: str = ""
    x_unit: str = ""
    band: float = 0.0
    #: The number of values a frequency chart counts ("Studies", "Sequences").
    counted: str = "Values"
    #: The value is a setting that takes few distinct values however many exposures there
    #: are (kVp: whole kilovolts on most generators): a chart alone gets its statistics from a
    #: count of each value (``app.charts.statistics.counted_summary``), the same numbers as
    #: sorting every value. Not for values that are mostly distinct (DAP, and mAs, which is
    #: mA times time): counting them costs more than sorting.
    discrete: bool = False


def _month():
    """The study's month: on PostgreSQL the month's first day (a timestamp sorts faster than
    text; ``chart_rows`` writes it as "YYYY-MM"), elsewhere the text itself."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("month", Study.study_date)
    return func.strftime("%Y-%m", Study.study_date)


def _weekday_hour():
    """0 = Sunday ... 6 = Saturday, and the hour, as integers."""
    if db.session.get_bind().dialect.name == "postgresql":
        return (cast(extract("dow", Study.study_date), Integer),
                cast(extract("hour", Study.study_time), Integer))
    return (cast(func.strftime("%w", Study.study_date), Integer),
            cast(func.strftime("%H", Study.study_time), Integer))


@dataclass(frozen=True)
class Path:
    """How a chart's rows are reached from their study: inner joins down from ``Study``."""

    joins: tuple = ()
    #: Further joins a chart's value or category needs (outer, so a missing code keeps the row).
    extra: tuple = field(default=())

    def plus(self, *joins) -> "Path":
        return Path(self.joins, self.extra + joins)


STUDY = Path()
CT_EVENT = Path((
    (CtRadiationDose, CtRadiationDose.general_study_module_attr_id == Study.id),
    (CtIrradiationEventData, CtIrradiationEventData.ct_radiation_dose_id == CtRadiationDose.id)))
PROJECTION_EVENT = Path((
    (ProjectionXRayRadiationDose, ProjectionXRayRadiationDose.general_study_module_attr_id
     == Study.id),
    (IrradEventXRayData,
     IrradEventXRayData.projection_xray_radiation_dose_id == ProjectionXRayRadiationDose.id)))
PROJECTION_SOURCE = Path((
    *PROJECTION_EVENT.joins,
    (IrradEventXRaySourceData, IrradEventXRaySourceData.irrad_event_xray_data_id
     == IrradEventXRayData.id)))
_STANDARD_JOINS, STANDARD_NAME = study_standard_name_joins()
#: Studies with their standard name (outer joins to the mapping): charts per standard name.
STUDY_STANDARD_NAME = STUDY.plus(*_STANDARD_JOINS)
#: Projection X-ray events by the study id they carry (``app.importing.chart_values``): one join from
#: the filtered studies to an index that holds every value the radiography charts draw.
EXPOSURE = Path(((IrradEventXRayData, IrradEventXRayData.chart_study_id == Study.id),))
ADMINISTRATION = Path((
    (RadiopharmaceuticalRadiationDose,
     RadiopharmaceuticalRadiationDose.general_study_module_attr_id == Study.id),
    (RadiopharmaceuticalAdministrationEventData,
     RadiopharmaceuticalAdministrationEventData.radiopharmaceutical_radiation_dose_id
     == RadiopharmaceuticalRadiationDose.id)))


@dataclass(frozen=True, eq=False)
class ChartValues:
    """``values(where)`` for a chart: its value, category and x along ``path`` for the
    studies that ``where`` (the list's filters, a condition on ``Study``) selects. The filters
    apply to the study rows the joins start from, so the study table is read once.

    A column may be given as a function of no arguments, for SQL that depends on the
    database (``_month``): it is built when a query is. Charts on the same ``path`` object
    can be computed in one pass over its rows (``app.charts.data.family_rows``).
    """

    path: Path
    value: object
    category: object = None
    x: object = None

    def columns(self):
        """(value, category, x) as SQL expressions (None where the chart has none)."""
        return tuple(column() if callable(column) else column
                     for column in (self.value, self.category, self.x))

    def rows(self, where):
        """The select of the path's rows for ``where``, without columns yet."""
        query = select().select_from(Study)
        for target, onclause in self.path.joins:
            query = query.join(target, onclause)
        for target, onclause in self.path.extra:
            query = query.outerjoin(target, onclause)
        return query.where(where)

    def __call__(self, where):
        value, category, x = self.columns()
        return self.rows(where).add_columns(
            value.label("value"),
            (category if category is not None else null()).label("category"),
            (x if x is not None else null()).label("x"),
            Study.id.label("study_id"),
            Study.unique_equipment_name_id.label("identity"))


chart_values = ChartValues


def coded(column):
    """A coded concept's meaning as a category, and the outer join that reaches it."""
    code = aliased(ContextID)
    return code.code_meaning, (code, code.id == column)


#: Per study, the higher of the two planes' total dose at the reference point: a single-plane
#: system's total, or for a biplane system the plane that gave more (as the list filter has it).
RP_DOSE = highest_rp_dose

_CT = CtIrradiationEventData
_EVENT = IrradEventXRayData
_SOURCE = IrradEventXRaySourceData
_NM = RadiopharmaceuticalAdministrationEventData
_VIEW, _VIEW_JOIN = coded(_EVENT.image_view_id)
_ANATOMY, _ANATOMY_JOIN = coded(_EVENT.anatomical_structure_id)
_AGENT, _AGENT_JOIN = coded(_NM.radiopharmaceutical_agent_id)
#: The agent as coded, else as the image header wrote it.
_RADIOPHARMACEUTICAL = func.coalesce(func.nullif(_AGENT, ""), _NM.radiopharmaceutical_agent_string)
_WEIGHT_JOIN = (PatientStudyModuleAttr, PatientStudyModuleAttr.general_study_module_attr_id == Study.id)
_MECHANICAL_JOIN = (IrradEventXRayMechanicalData,
                    IrradEventXRayMechanicalData.irrad_event_xray_data_id == _EVENT.id)
#: The radiography event charts share this path, so a page computes them in one query.
_DX_EVENT = EXPOSURE.plus(_ANATOMY_JOIN)


workload = chart_values(STUDY, lambda: _weekday_hour()[1], lambda: _weekday_hour()[0])


def _month_values(path, value):
    """Per-month values (the month is dialect SQL, built with the query)."""
    return chart_values(path, value, _month)


WORKLOAD = Chart("workload", "Studies per weekday and hour", "workload", "", "", workload)
DAP = {"quantity": "DAP", "unit": "cGy·cm²", "scale": 1e6}  # stored in Gy·m²
RP = {"quantity": "Dose at RP", "unit": "Gy"}
AGD = {"quantity": "AGD", "unit": "mGy"}
ACTIVITY = {"quantity": "Activity", "unit": "MBq"}

CHARTS = {
    "ct": (
        Chart("dlp_study_description", "DLP per study description", "category", "DLP",
              "mGy·cm", chart_values(STUDY, Study.total_dlp, Study.study_description),
              drl=("dlp", "study_description")),
        Chart("dlp_requested_procedure", "DLP per requested procedure", "category", "DLP",
              "mGy·cm", chart_values(STUDY, Study.total_dlp, Study.requested_procedure_code_meaning),
              drl=("dlp", "requested_procedure")),
        Chart("dlp_standard_name", "DLP per standard name", "category", "DLP", "mGy·cm",
              chart_values(STUDY_STANDARD_NAME, Study.total_dlp, STANDARD_NAME)),
        Chart("ctdivol_protocol", "CTDIvol per acquisition protocol", "category", "CTDIvol",
              "mGy", chart_values(CT_EVENT, _CT.mean_ctdivol, _CT.acquisition_protocol),
              drl=("ctdivol", "acquisition_protocol")),
        Chart("dlp_protocol", "DLP per acquisition protocol", "category", "DLP", "mGy·cm",
              chart_values(CT_EVENT, _CT.dlp, _CT.acquisition_protocol)),
        Chart("studies_study_description", "Studies per study description", "frequency", "",
              "", chart_values(STUDY, Study.id, Study.study_description), counted="Studies"),
        Chart("sequences_protocol", "Sequences per acquisition protocol", "frequency", "", "",
              chart_values(CT_EVENT, _CT.id, _CT.acquisition_protocol), counted="Sequences"),
        Chart("dlp_month", "DLP per month", "time", "DLP", "mGy·cm",
              _month_values(STUDY, Study.total_dlp)),
        Chart("ctdivol_month", "CTDIvol per month", "time", "CTDIvol", "mGy",
              _month_values(CT_EVENT, _CT.mean_ctdivol)),
        Chart("ctdivol_weight", "CTDIvol against patient weight", "scatter", "CTDIvol", "mGy",
              chart_values(CT_EVENT.plus(_WEIGHT_JOIN), _CT.mean_ctdivol, _CT.acquisition_protocol,
                           PatientStudyModuleAttr.patient_weight),
              x_quantity="Patient weight", x_unit="kg", band=10.0),
        WORKLOAD,
    ),
    "rf": (
        Chart("dap_study_description", "Total DAP per study description", "category",
              values=chart_values(STUDY, Study.total_dap, Study.study_description),
              drl=("dap", "study_description"), **DAP),
        Chart("dap_requested_procedure", "Total DAP per requested procedure", "category",
              values=chart_values(STUDY, Study.total_dap, Study.requested_procedure_code_meaning),
              **DAP),
        Chart("dap_standard_name", "Total DAP per standard name", "category",
              values=chart_values(STUDY_STANDARD_NAME, Study.total_dap, STANDARD_NAME), **DAP),
        Chart("rp_study_description", "Dose at reference point per study description",
              "category", values=chart_values(STUDY, RP_DOSE, Study.study_description), **RP),
        Chart("rp_requested_procedure", "Dose at reference point per requested procedure",
              "category", values=chart_values(STUDY, RP_DOSE, Study.requested_procedure_code_meaning),
              **RP),
        Chart("studies_study_description", "Studies per study description", "frequency", "",
              "", chart_values(STUDY, Study.id, Study.study_description), counted="Studies"),
        Chart("dap_month", "Total DAP per month", "time",
              values=_month_values(STUDY, Study.total_dap), **DAP),
        Chart("rp_month", "Dose at reference point per month", "time",
              values=_month_values(STUDY, RP_DOSE), **RP),
        WORKLOAD,
    ),
    "mg": (
        Chart("agd_protocol", "AGD per acquisition protocol", "category",
              values=chart_values(PROJECTION_SOURCE, _SOURCE.average_glandular_dose,
                                  _EVENT.acquisition_protocol),
              drl=("agd", "acquisition_protocol"), **AGD),
        Chart("agd_view", "AGD per view", "category",
              values=chart_values(PROJECTION_SOURCE.plus(_VIEW_JOIN),
                                  _SOURCE.average_glandular_dose, _VIEW), **AGD),
        Chart("agd_thickness", "AGD against compressed breast thickness", "scatter",
              values=chart_values(PROJECTION_SOURCE.plus(_VIEW_JOIN, _MECHANICAL_JOIN),
                                  _SOURCE.average_glandular_dose, _VIEW,
                                  IrradEventXRayMechanicalData.compression_thickness),
              x_quantity="Compressed thickness", x_unit="mm", band=10.0, **AGD),
        Chart("exposures_protocol", "Exposures per acquisition protocol", "frequency", "", "",
              chart_values(EXPOSURE, _EVENT.chart_study_id, _EVENT.acquisition_protocol),
              counted="Exposures"),
        Chart("agd_month", "AGD per month", "time",
              values=_month_values(PROJECTION_SOURCE, _SOURCE.average_glandular_dose), **AGD),
        WORKLOAD,
    ),
    "dx": (
        Chart("dap_protocol", "DAP per acquisition protocol", "category",
              values=chart_values(_DX_EVENT, _EVENT.dose_area_product,
                                  _EVENT.acquisition_protocol), **DAP),
        Chart("dap_body_part", "DAP per body part", "category",
              values=chart_values(_DX_EVENT, _EVENT.dose_area_product, _ANATOMY), **DAP),
        Chart("dap_study_description", "Total DAP per study description", "category",
              values=chart_values(STUDY, Study.total_dap, Study.study_description),
              drl=("dap", "study_description"), **DAP),
        Chart("dap_standard_name", "Total DAP per standard name", "category",
              values=chart_values(STUDY_STANDARD_NAME, Study.total_dap, STANDARD_NAME), **DAP),
        Chart("kvp_protocol", "kVp per acquisition protocol", "category", "kVp", "kV",
              chart_values(_DX_EVENT, _EVENT.chart_kvp, _EVENT.acquisition_protocol),
              discrete=True),
        Chart("mas_protocol", "mAs per acquisition protocol", "category", "Exposure", "mAs",
              chart_values(_DX_EVENT, _EVENT.chart_exposure, _EVENT.acquisition_protocol),
              scale=1e-3),  # stored in µA·s
        Chart("exposures_protocol", "Exposures per acquisition protocol", "frequency", "", "",
              # On the path of the other event charts (the same rows): counted in their pass.
              chart_values(_DX_EVENT, _EVENT.chart_study_id, _EVENT.acquisition_protocol),
              counted="Exposures"),
        Chart("dap_month", "Total DAP per month", "time",
              values=_month_values(STUDY, Study.total_dap), **DAP),
        WORKLOAD,
    ),
    "nm": (
        Chart("activity_radiopharmaceutical", "Administered activity per radiopharmaceutical",
              "category", values=chart_values(ADMINISTRATION.plus(_AGENT_JOIN),
                                              _NM.administered_activity, _RADIOPHARMACEUTICAL),
              **ACTIVITY),
        Chart("activity_study_description", "Administered activity per study description",
              "category", values=chart_values(ADMINISTRATION, _NM.administered_activity,
                                              Study.study_description),
              drl=("activity", "study_description"), **ACTIVITY),
        Chart("studies_study_description", "Studies per study description", "frequency", "",
              "", chart_values(STUDY, Study.id, Study.study_description), counted="Studies"),
        Chart("activity_month", "Administered activity per month", "time",
              values=_month_values(ADMINISTRATION, _NM.administered_activity), **ACTIVITY),
        WORKLOAD,
    ),
}
