"""Medians of stored doses per system and examination, set against a DRL set.

A study (or event) belongs to an examination when one of its names is mapped to that
standard name: its study description or requested procedure, or, for values of one event,
the event's acquisition protocol. The medians are computed in the database:
``percentile_cont`` on PostgreSQL, a windowed query elsewhere (SQLite has no percentile
aggregate). A value counts once per examination and system even when several of its names
are mapped.
"""
import datetime
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import aliased

from ..database import for_aggregates, map_in_sessions
from ..extensions import db
from ..extractors.units import UnknownUnit, factor
from ..models.drl import (
    ACQUISITION_PROTOCOL,
    REQUESTED_PROCEDURE,
    STUDY_DESCRIPTION,
    DrlSet,
    DrlValue,
    StandardName,
)
from ..models.study import UniqueEquipmentNames, system_name
from ..models.study import GeneralStudyModuleAttr as Study
from ..modalities import MODALITIES
from .quantities import QUANTITIES



@dataclass(frozen=True)
class Comparison:
    """One system's median for one DRL entry."""

    system: str
    drl: DrlValue
    count: int
    median: float  # in the stored unit of the quantity
    median_in_drl_unit: float | None  # None when the DRL's unit is not the quantity's

    @property
    def ratio(self) -> float | None:
        if self.median_in_drl_unit is None or not self.drl.value:
            return None
        return self.median_in_drl_unit / self.drl.value

    @property
    def above(self) -> bool:
        return self.ratio is not None and self.ratio > 1


def modality_types(modality: str) -> tuple[str, ...]:
    """The stored modality types a DRL modality covers (DX covers CR and PX)."""
    for config in MODALITIES:
        if config.key.upper() == modality:
            return config.modality_types
    return (modality,)


def compare(drl_set: DrlSet, date_from: datetime.date | None = None,
            date_to: datetime.date | None = None) -> list[Comparison]:
    """Every (system, DRL entry) of ``drl_set`` with matched studies in the period."""
    entries = {}
    for value in drl_set.values:
        entries.setdefault((value.modality, value.quantity), []).append(value)
    plans = []  # (quantity, modality, {examination: [DRL values]})
    for (modality, key), values in sorted(entries.items()):
        quantity = QUANTITIES.get(key)
        if quantity is None:
            continue
        by_examination = {}
        for value in values:
            by_examination.setdefault(value.examination, []).append(value)
        plans.append((quantity, modality, by_examination))
    medians = _all_medians([(quantity, modality, sorted(by_examination), date_from, date_to)
                            for quantity, modality, by_examination in plans])
    results = []
    for (quantity, _, by_examination), found in zip(plans, medians):
        for system, examination, count, median in found:
            for value in by_examination[examination]:
                results.append(Comparison(system, value, count, median,
                                          _in_unit(median, quantity.unit, value.unit)))
    results.sort(key=lambda c: (c.drl.modality, c.drl.examination, c.drl.quantity,
                                c.drl.patient_group, c.system))
    return results


def _in_unit(median, stored_unit, unit):
    try:
        return median * factor(stored_unit, unit)
    except (UnknownUnit, ValueError):
        return None


def matched_values(quantity, modality: str, examinations, date_from=None, date_to=None):
    """(system, examination, value, row_id) of every value matched to one of ``examinations``.

    Each name field is looked up in the mapping by its own equality join (a name maps to at
    most one standard name per field) restricted to ``examinations``, and rows that none of
    them matches are dropped; each remaining row is then repeated once per field with that
    field's examination, left empty where an earlier field gave the same one: so a value
    mapped twice to one examination counts once, without de-duplicating every row, and only
    matched rows are repeated.
    """
    examinations = list(examinations)
    base = quantity.values()
    fields = [(STUDY_DESCRIPTION, Study.study_description),
              (REQUESTED_PROCEDURE, Study.requested_procedure_code_meaning)]
    if quantity.per != "study":
        fields.append((ACQUISITION_PROTOCOL, base.selected_columns.protocol.element))
    found = []
    for field, column in fields:
        mapping = aliased(StandardName)
        base = base.outerjoin(mapping, and_(mapping.modality == modality, mapping.field == field,
                                            mapping.name == column,
                                            mapping.standard_name.in_(examinations)))
        found.append(mapping.standard_name)
    matched = base.where(or_(*(name.is_not(None) for name in found)),
                         base.selected_columns.value.is_not(None),
                         Study.modality_type.in_(modality_types(modality)))
    if date_from:
        matched = matched.where(Study.study_date >= date_from)
    if date_to:
        matched = matched.where(Study.study_date <= date_to)
    # The matched rows first, then their copies: OFFSET 0 keeps PostgreSQL from merging the
    # subquery into the outer query and repeating every row before the mapping drops it.
    matched = matched.add_columns(
        Study.unique_equipment_name_id.label("identity"),
        *(name.label(f"name{k}") for k, name in enumerate(found))
    ).offset(0).subquery("matched_rows")
    names = [matched.c[f"name{k}"] for k in range(len(found))]
    copies = union_all(*(select(literal(k).label("k")) for k in range(len(names)))).subquery("copies")
    examination = case(*(
        (copies.c.k == k, case((and_(*(name.is_distinct_from(earlier) for earlier in names[:k])),
                                name)) if k else name)
        for k, name in enumerate(names)))
    system = system_name()
    rows = (select(system.label("system"), examination.label("examination"),
                   matched.c.value, matched.c.row_id)
            .select_from(matched).join(copies, true())
            .outerjoin(UniqueEquipmentNames, UniqueEquipmentNames.id == matched.c.identity)
            .subquery("matched"))
    return (select(rows.c.system, rows.c.examination, rows.c.value, rows.c.row_id)
            .where(rows.c.examination.is_not(None)))


def _all_medians(queries) -> list[list]:
    """``_medians`` of each of ``queries`` (its arguments), in order; on PostgreSQL up to
    ``CHART_QUERY_WORKERS`` at once on their own connections (a DLP and a CTDIvol comparison
    take about the same time; together they use both cores)."""
    return map_in_sessions(lambda arguments: _medians(*arguments), queries,
                           current_app.config["CHART_QUERY_WORKERS"])


def _medians(quantity, modality, examinations, date_from, date_to):
    for_aggregates(db.session, current_app.config["CHART_WORK_MEM"])
    matched = matched_values(quantity, modality, examinations, date_from, date_to).subquery("m")
    groups = (matched.c.system, matched.c.examination)
    if db.session.get_bind().dialect.name == "postgresql":
        query = (select(*groups, func.count().label("n"),
                        func.percentile_cont(0.5).within_group(matched.c.value).label("median"))
                 .group_by(*groups))
    else:
        ranked = select(
            *groups, matched.c.value,
            func.row_number().over(partition_by=groups, order_by=matched.c.value).label("rank"),
            func.count().over(partition_by=groups).label("n"),
        ).subquery("ranked")
        # The middle value, or the mean of the two middle values.
        query = (select(ranked.c.system, ranked.c.examination, func.max(ranked.c.n).label("n"),
                        func.avg(ranked.c.value).label("median"))
                 .where(or_(ranked.c.rank == (ranked.c.n + 1) // 2,
                            ranked.c.rank == (ranked.c.n + 2) // 2))
                 .group_by(ranked.c.system, ranked.c.examination))
    return [(system, examination, int(n), float(median))
            for system, examination, n, median in db.session.execute(query)]
