"""Which studies a modality list shows: its filters and its ordering.

Nothing here reads the request. Every function takes the query arguments as a mapping (a
werkzeug ``MultiDict`` or a plain ``dict``), so the list pages, the exports and any command
select exactly the same studies from the same URL::

    query = filter_studies(CT, {"date_from": "2024-01-01", "dlp_min": "500"})
    studies = db.session.scalars(query.limit(100))

Filters on the study row use its columns and summary fields directly; filters on child rows
(equipment, patient, events) are ``EXISTS`` subqueries, so a study never appears twice and
counting needs no join.
"""
import datetime
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import Select, and_, case, exists, not_, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..importing.identity import hash_identifier
from ..models.ct import CtIrradiationEventData, CtRadiationDose
from ..models.nm import (RadiopharmaceuticalAdministrationEventData,
                         RadiopharmaceuticalRadiationDose)
from ..models.projection import (IrradEventXRayData, IrradEventXRayMechanicalData,
                                 IrradEventXRaySourceData, ProjectionXRayRadiationDose)
from ..models.codes import ContextID
from ..models.drl import ACQUISITION_PROTOCOL as PROTOCOL_FIELD
from ..models.drl import REQUESTED_PROCEDURE as REQUESTED_FIELD
from ..models.drl import STUDY_DESCRIPTION as DESCRIPTION_FIELD
from ..models.drl import StandardName
from ..models.study import (GeneralEquipmentModuleAttr, GeneralStudyModuleAttr,
                            PatientModuleAttr, PatientStudyModuleAttr, UniqueEquipmentNames)

Study = GeneralStudyModuleAttr

#: Stored DAP is Gy·m²; people enter and read cGy·cm² (1 Gy·m² = 10⁶ cGy·cm²).
CGYCM2_PER_GYM2 = 1e6


# --- Where a condition applies: the study row or one of its child rows ---------------------

def on_study(condition: ColumnElement) -> ColumnElement:
    """A condition on the study row itself."""
    return condition


def on_equipment(condition: ColumnElement) -> ColumnElement:
    """True when one of the study's General Equipment rows meets ``condition``."""
    return exists().where(GeneralEquipmentModuleAttr.general_study_module_attr_id == Study.id,
                          condition)


def on_display_name(condition: ColumnElement) -> ColumnElement:
    """True when the identity of one of the study's devices meets ``condition``."""
    return exists(
        select(GeneralEquipmentModuleAttr.id)
        .join(UniqueEquipmentNames,
              UniqueEquipmentNames.id == GeneralEquipmentModuleAttr.unique_equipment_name_id)
        .where(GeneralEquipmentModuleAttr.general_study_module_attr_id == Study.id, condition)
    )


def on_patient(condition: ColumnElement) -> ColumnElement:
    """True when the study's Patient Module row meets ``condition``."""
    return exists().where(PatientModuleAttr.general_study_module_attr_id == Study.id, condition)


def on_patient_study(condition: ColumnElement) -> ColumnElement:
    """True when the study's Patient Study Module row (age, size, weight) meets ``condition``."""
    return exists().where(PatientStudyModuleAttr.general_study_module_attr_id == Study.id,
                          condition)


def on_ct_event(condition: ColumnElement) -> ColumnElement:
    """True when one CT irradiation event of the study meets ``condition``."""
    return exists(
        select(CtIrradiationEventData.id)
        .join(CtRadiationDose, CtRadiationDose.id == CtIrradiationEventData.ct_radiation_dose_id)
        .where(CtRadiationDose.general_study_module_attr_id == Study.id, condition)
    )


def _projection_events():
    return (
        select(IrradEventXRayData.id)
        .join(ProjectionXRayRadiationDose,
              ProjectionXRayRadiationDose.id == IrradEventXRayData.projection_xray_radiation_dose_id)
        .where(ProjectionXRayRadiationDose.general_study_module_attr_id == Study.id)
    )


def on_projection_event(condition: ColumnElement) -> ColumnElement:
    """True when one projection irradiation event of the study meets ``condition``."""
    return exists(_projection_events().where(condition))


def on_projection_source(condition: ColumnElement) -> ColumnElement:
    """True when the X-ray source data of one projection event meets ``condition``."""
    return exists(
        _projection_events()
        .join(IrradEventXRaySourceData,
              IrradEventXRaySourceData.irrad_event_xray_data_id == IrradEventXRayData.id)
        .where(condition)
    )


def on_projection_mechanics(condition: ColumnElement) -> ColumnElement:
    """True when the mechanical data of one projection event meets ``condition``."""
    return exists(
        _projection_events()
        .join(IrradEventXRayMechanicalData,
              IrradEventXRayMechanicalData.irrad_event_xray_data_id == IrradEventXRayData.id)
        .where(condition)
    )


def on_image_view(condition: ColumnElement) -> ColumnElement:
    """True when the view code of one projection event meets ``condition`` (on ContextID)."""
    return exists(
        _projection_events()
        .join(ContextID, ContextID.id == IrradEventXRayData.image_view_id)
        .where(condition)
    )


def on_nm_administration(condition: ColumnElement) -> ColumnElement:
    """True when one radiopharmaceutical administration of the study meets ``condition``."""
    event = RadiopharmaceuticalAdministrationEventData
    return exists(
        select(event.id)
        .join(RadiopharmaceuticalRadiationDose,
              RadiopharmaceuticalRadiationDose.id == event.radiopharmaceutical_radiation_dose_id)
        .where(RadiopharmaceuticalRadiationDose.general_study_module_attr_id == Study.id,
               condition)
    )


# --- Filters -----------------------------------------------------------------------------

def _text(args, name) -> str:
    value = args.get(name)
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class Filter:
    """One filter of a list page: the argument names it reads and the condition it adds.

    ``kind`` tells the template how to draw it: ``text``, ``date_range``, ``range``,
    ``select``. ``pid`` filters (patient name and ID) apply only for users holding the
    pid role.
    """

    name: str
    label: str
    pid: bool = False

    kind = "text"

    @property
    def arg_names(self) -> tuple[str, ...]:
        """The query arguments this filter reads."""
        return (self.name,)

    def parse(self, args) -> tuple[Any, str | None]:
        """(value, error) from the query arguments; value None means the filter is unused."""
        value = _text(args, self.name)
        return (value or None), None

    def condition(self, value) -> ColumnElement:
        """The SQL condition for a parsed, non-None value."""
        raise NotImplementedError


@dataclass(frozen=True)
class TextFilter(Filter):
    """Case-insensitive "contains" on a text column, on the study or a child row."""

    column: Any = None
    where: Callable[[ColumnElement], ColumnElement] = on_study
    help: str | None = None

    def condition(self, value):
        """Rows whose column contains ``value``, ignoring case; % and _ match themselves."""
        return self.where(self.column.icontains(value, autoescape=True))


@dataclass(frozen=True)
class DisplayNameFilter(TextFilter):
    """Display name contains the text; in double quotes, it must equal it exactly."""

    help: str | None = 'In "double quotes": exactly this name.'

    def condition(self, value):
        """Contains the text, or equals it when quoted."""
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            return self.where(self.column == value[1:-1])
        return super().condition(value)


@dataclass(frozen=True)
class HashAwareTextFilter(Filter):
    """Text search on an identifier that may be stored as its SHA-256 digest.

    Plain values match on "contains, ignoring case"; hashed values match when the digest of
    the search text equals them, so a hashed accession number is found by typing it whole.
    """

    column: Any = None
    hashed_flag: Any = None
    where: Callable[[ColumnElement], ColumnElement] = on_study

    def condition(self, value):
        """Contains the text (plain values) or equals its digest (hashed values)."""
        return self.where(or_(
            and_(not_(self.hashed_flag), self.column.icontains(value, autoescape=True)),
            and_(self.hashed_flag, self.column == hash_identifier(value)),
        ))


@dataclass(frozen=True)
class DateRangeFilter(Filter):
    """Study date from / until, both inclusive (``<input type=date>``, ISO dates)."""

    kind = "date_range"
    from_label: str = "Date from"
    until_label: str = "Date until"

    @property
    def arg_names(self):
        """``date_from`` and ``date_until``."""
        return (f"{self.name}_from", f"{self.name}_until")

    def parse(self, args):
        """Two dates (either may be None); an unreadable date is reported and ignored."""
        values, errors = [], []
        for name in self.arg_names:
            text = _text(args, name)
            try:
                values.append(datetime.date.fromisoformat(text) if text else None)
            except ValueError:
                values.append(None)
                errors.append(f"“{text}” is not a date (YYYY-MM-DD).")
        value = tuple(values) if any(v is not None for v in values) else None
        return value, " ".join(errors) or None

    def condition(self, value):
        """Study date within the range."""
        start, end = value
        parts = []
        if start is not None:
            parts.append(Study.study_date >= start)
        if end is not None:
            parts.append(Study.study_date <= end)
        return and_(*parts)


@dataclass(frozen=True)
class RangeFilter(Filter):
    """Minimum and maximum of a number, entered in ``unit``: ``per_stored`` of them make
    one stored unit (1e6 for DAP entered in cGy·cm² and stored in Gy·m²).

    Bounds are widened by a billionth so that a value shown as 400 is found by "400"
    although unit conversions left it a rounding error away. On a child row both bounds
    apply to the same row: "an event with DAP between a and b".
    """

    kind = "range"
    column: Any = None
    where: Callable[[ColumnElement], ColumnElement] = on_study
    unit: str | None = None
    per_stored: float = 1.0
    step: str = "any"

    @property
    def arg_names(self):
        """``<name>_min`` and ``<name>_max``."""
        return (f"{self.name}_min", f"{self.name}_max")

    def parse(self, args):
        """Two numbers in stored units (either may be None); text that is no number is reported."""
        values, errors = [], []
        for name in self.arg_names:
            text = _text(args, name)
            try:
                number = float(text) if text else None
            except ValueError:
                number = None
                errors.append(f"“{text}” is not a number.")
            if number is not None and number != number:  # NaN compares with nothing
                number = None
            values.append(None if number is None else number / self.per_stored)
        value = tuple(values) if any(v is not None for v in values) else None
        return value, " ".join(errors) or None

    def condition(self, value):
        """The column within the range, on one row."""
        return self.where(_within(self.column, *value))


# Relative slack of range bounds (see RangeFilter).
_SLACK = 1e-9


def _within(column, low, high) -> ColumnElement:
    parts = []
    if low is not None:
        parts.append(column >= low - abs(low) * _SLACK)
    if high is not None:
        parts.append(column <= high + abs(high) * _SLACK)
    return and_(*parts)


@dataclass(frozen=True)
class AnyColumnRangeFilter(RangeFilter):
    """A range met by any one of several study columns, e.g. the AGD of either breast."""

    columns: tuple = ()

    def condition(self, value):
        """At least one of the columns within the range."""
        return or_(*(_within(column, *value) for column in self.columns))


#: Choices of the event-count filters: value, label.
EVENT_COUNT_CHOICES = (("", "Any"), ("0", "None"), ("some", ">0"),
                       *((str(n), str(n)) for n in range(1, 11)), ("more", ">10"))


@dataclass(frozen=True)
class EventCountFilter(Filter):
    """How many events of a kind a study has, from its summary fields."""

    kind = "select"
    column: Any = None
    choices: tuple = EVENT_COUNT_CHOICES

    def parse(self, args):
        """One of the choices, or None for Any; anything else is reported."""
        value = _text(args, self.name)
        if not value:
            return None, None
        if value not in {choice for choice, _ in self.choices}:
            return None, f"“{value}” is not a choice here."
        return value, None

    def condition(self, value):
        """A count of zero, above zero, exactly n or above ten (missing counts as zero)."""
        if value == "0":
            return or_(self.column == 0, self.column.is_(None))
        if value == "some":
            return self.column > 0
        if value == "more":
            return self.column > 10
        return self.column == int(value)


@dataclass(frozen=True)
class NotPatientFilter(Filter):
    """Leave out (default) or include studies marked as possible test or QA patients.

    Unlike the other filters it applies when its argument is absent: lists, exports and
    charts leave test data out unless ``test_data=yes`` asks for it.
    """

    kind = "select"
    choices: tuple = (("", "No"), ("yes", "Yes"))

    def parse(self, args):
        """"yes" (or true, 1) includes test data; anything else, or nothing, leaves it out."""
        include = _text(args, self.name).lower() in {"yes", "true", "1", "on"}
        return (None if include else "no"), None

    def condition(self, value):
        """The study is not marked as test data (its patient row carries no not-patient
        indicator: ``GeneralStudyModuleAttr.not_patient``, part of the modality index).
        ``IS NOT TRUE`` rather than ``= false``: PostgreSQL then checks it on each index entry
        the scan reads instead of as a condition on the index range, which costs a count of
        10,000 studies twice as much (the column is never NULL, so the two mean the same)."""
        return Study.not_patient.is_not(True)


def _standard_modality():
    """The standard-name modality of the study's modality type (CR and PX are DX's)."""
    return case((Study.modality_type.in_(("CR", "PX")), "DX"), else_=Study.modality_type)


@dataclass(frozen=True)
class StandardNameFilter(Filter):
    """Studies one of whose names is mapped to a standard name containing the text (or, in
    double quotes, equal to it): the study description, the requested procedure, or the
    acquisition protocol of one of its events (the mapping of app/drl/naming.py)."""

    help: str | None = 'In "double quotes": exactly this name.'

    def condition(self, value):
        """One of the study's names is mapped to a matching standard name."""
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            matches = StandardName.standard_name == value[1:-1]
        else:
            matches = StandardName.standard_name.icontains(value, autoescape=True)

        def mapped(field, column):
            return and_(StandardName.modality == _standard_modality(),
                        StandardName.field == field, StandardName.name == column, matches)

        # The event branches name standard_name in the event subquery itself: one level
        # of correlation to the study, as every other child-row filter.
        return or_(
            exists().where(mapped(DESCRIPTION_FIELD, Study.study_description)),
            exists().where(mapped(REQUESTED_FIELD, Study.requested_procedure_code_meaning)),
            on_ct_event(mapped(PROTOCOL_FIELD, CtIrradiationEventData.acquisition_protocol)),
            on_projection_event(mapped(PROTOCOL_FIELD, IrradEventXRayData.acquisition_protocol)),
        )


# --- Shared filter definitions ----------------------------------------------------------

DATE = DateRangeFilter("date", "Study date")
STUDY_DESCRIPTION = TextFilter("study_description", "Study description",
                               column=Study.study_description)
PROCEDURE = TextFilter("procedure", "Procedure", column=Study.procedure_code_meaning)
REQUESTED_PROCEDURE = TextFilter("requested_procedure", "Requested procedure",
                                 column=Study.requested_procedure_code_meaning)
INSTITUTION = TextFilter("institution", "Hospital",
                         column=GeneralEquipmentModuleAttr.institution_name, where=on_equipment)
MANUFACTURER = TextFilter("manufacturer", "Make",
                          column=GeneralEquipmentModuleAttr.manufacturer, where=on_equipment)
MODEL = TextFilter("model", "Model", column=GeneralEquipmentModuleAttr.manufacturer_model_name,
                   where=on_equipment)
STATION = TextFilter("station", "Station name", column=GeneralEquipmentModuleAttr.station_name,
                     where=on_equipment)
DISPLAY_NAME = DisplayNameFilter("display_name", "Display name",
                                 column=UniqueEquipmentNames.display_name, where=on_display_name)
ACCESSION = HashAwareTextFilter("accession", "Accession number",
                                column=Study.accession_number, hashed_flag=Study.accession_hashed)
PHYSICIAN = TextFilter("physician", "Physician", column=Study.performing_physician_name)
AGE = RangeFilter("age", "Age", column=PatientStudyModuleAttr.patient_age_decimal,
                  where=on_patient_study, unit="years")
WEIGHT = RangeFilter("weight", "Weight", column=PatientStudyModuleAttr.patient_weight,
                     where=on_patient_study, unit="kg")
STANDARD_NAME = StandardNameFilter("standard_name", "Standard name")
TEST_DATA = NotPatientFilter("test_data", "Include possible test data")
EVENTS_TOTAL = EventCountFilter("events", "Num. events total", column=Study.number_of_events)
PATIENT_NAME = HashAwareTextFilter("patient_name", "Patient name",
                                   column=PatientModuleAttr.patient_name,
                                   hashed_flag=PatientModuleAttr.name_hashed,
                                   where=on_patient, pid=True)
PATIENT_ID = HashAwareTextFilter("patient_id", "Patient ID", column=PatientModuleAttr.patient_id,
                                 hashed_flag=PatientModuleAttr.id_hashed, where=on_patient,
                                 pid=True)


# --- Ordering ----------------------------------------------------------------------------

# Sorting by a device column joins the study's equipment row (the importer stores one per
# study), under its own names so the EXISTS filters on equipment stay uncorrelated to it.
# A join sorts a large list several times faster than a subquery per study.
SortEquipment = aliased(GeneralEquipmentModuleAttr, name="sort_equipment")
SortIdentity = aliased(UniqueEquipmentNames, name="sort_identity")


def _join_equipment(query: Select) -> Select:
    return query.outerjoin(SortEquipment, SortEquipment.general_study_module_attr_id == Study.id)


def _join_identity(query: Select) -> Select:
    return _join_equipment(query).outerjoin(
        SortIdentity, SortIdentity.id == SortEquipment.unique_equipment_name_id)


def _highest_plane(a, b):
    """The larger of two plane totals, either of which may be missing (portable GREATEST)."""
    return case((b.is_(None), a), (a.is_(None), b), (b > a, b), else_=a)


@dataclass(frozen=True)
class Ordering:
    """A sort order users can choose: a key in the URL (``o=-dlp``) and what it sorts by."""

    key: str
    label: str
    expression: Callable[[], ColumnElement] = field(repr=False)
    # Words for the two directions: (ascending, descending).
    directions: tuple[str, str] = ("ascending", "descending")
    # Adds the joins the expression needs to a query of studies.
    join: Callable[[Select], Select] | None = field(default=None, repr=False)


ORDERINGS = {o.key: o for o in (
    Ordering("date", "Exam date", lambda: Study.study_date, ("oldest first", "newest first")),
    Ordering("study_description", "Study description", lambda: Study.study_description,
             ("A to Z", "Z to A")),
    Ordering("procedure", "Procedure", lambda: Study.procedure_code_meaning, ("A to Z", "Z to A")),
    Ordering("institution", "Hospital", lambda: SortEquipment.institution_name,
             ("A to Z", "Z to A"), _join_equipment),
    Ordering("manufacturer", "Make", lambda: SortEquipment.manufacturer,
             ("A to Z", "Z to A"), _join_equipment),
    Ordering("model", "Model", lambda: SortEquipment.manufacturer_model_name,
             ("A to Z", "Z to A"), _join_equipment),
    Ordering("display_name", "Display name", lambda: SortIdentity.display_name,
             ("A to Z", "Z to A"), _join_identity),
    Ordering("accession", "Accession number", lambda: Study.accession_number,
             ("A to Z", "Z to A")),
    Ordering("events", "Number of events", lambda: Study.number_of_events,
             ("fewest first", "most first")),
    Ordering("dlp", "Total DLP", lambda: Study.total_dlp, ("lowest first", "highest first")),
    Ordering("dap", "Total DAP", lambda: Study.total_dap, ("lowest first", "highest first")),
    Ordering("rp_dose", "Total RP dose (A)", lambda: Study.total_rp_dose_a,
             ("lowest first", "highest first")),
    Ordering("agd_left", "AGD (left)", lambda: Study.total_agd_left,
             ("lowest first", "highest first")),
    Ordering("agd_right", "AGD (right)", lambda: Study.total_agd_right,
             ("lowest first", "highest first")),
)}

DEFAULT_ORDER = "-date"


def ordering_choice(config, args) -> tuple[str, bool]:
    """(ordering key, descending) from the ``o`` argument, or the default (newest first)."""
    text = _text(args, "o") or DEFAULT_ORDER
    descending = text.startswith("-")
    key = text.lstrip("-")
    if key not in config.orderings:
        key, descending = DEFAULT_ORDER.lstrip("-"), True
    return key, descending


def order_clauses(key: str, descending: bool) -> list:
    """ORDER BY terms: the chosen key, then date, time and id so pages never overlap.

    Dates sort without NULLS LAST so the default order can walk the (modality, date, time)
    index; other keys put missing values last in both directions.
    """
    date_terms = [Study.study_date, Study.study_time, Study.id]
    if key == "date":
        return [term.desc() if descending else term.asc() for term in date_terms]
    expression = ORDERINGS[key].expression()
    first = (expression.desc() if descending else expression.asc()).nulls_last()
    return [first] + [term.desc() for term in date_terms]


# --- Putting it together ----------------------------------------------------------------

@dataclass
class FilterResult:
    """The filtered query, ordered and not, and what the filters made of the arguments.

    ``query`` is ordered (with any join its ordering needs); ``unordered`` selects the same
    studies from the study table alone, for counting and deleting.
    """

    query: Select
    unordered: Select
    # Parsed values of the filters in use, by filter name.
    values: dict = field(default_factory=dict)
    # One message per filter whose arguments could not be read, by filter name.
    errors: dict = field(default_factory=dict)
    ordering: tuple[str, bool] = ("date", True)


def visible_filters(config, pid: bool = False) -> list[Filter]:
    """The filters of a modality a user sees: patient name and ID only with the pid role."""
    return [f for f in config.filters if pid or not f.pid]


def apply_filters(config, args, *, pid: bool = False) -> FilterResult:
    """Parse the arguments for every filter of ``config`` and build the query."""
    query = select(Study).where(modality_condition(config))
    result = FilterResult(query, query)
    for spec in visible_filters(config, pid):
        value, error = spec.parse(args)
        if error:
            result.errors[spec.name] = error
        if value is not None:
            result.values[spec.name] = value
            query = query.where(spec.condition(value))
    result.unordered = query
    result.ordering = ordering_choice(config, args)
    join = ORDERINGS[result.ordering[0]].join
    result.query = (join(query) if join else query).order_by(*order_clauses(*result.ordering))
    return result


def filter_studies(config, args, *, pid: bool = False) -> Select:
    """``select(GeneralStudyModuleAttr)`` with the modality, every filter and the ordering.

    ``args`` is a mapping of query arguments as the list page's URL carries them; arguments
    that cannot be read are ignored. ``pid`` says whether the user may filter on patient
    name and ID (the pid role).
    """
    return apply_filters(config, args, pid=pid).query


def modality_condition(config) -> ColumnElement:
    """The studies of one modality page (DX covers DX, CR and PX)."""
    if len(config.modality_types) == 1:
        return Study.modality_type == config.modality_types[0]
    return Study.modality_type.in_(config.modality_types)


#: Used by modality configurations for the RF dose-at-RP filter.
highest_rp_dose = _highest_plane(Study.total_rp_dose_a, Study.total_rp_dose_b)
