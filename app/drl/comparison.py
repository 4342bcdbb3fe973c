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

from ..database import for_aggregates
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
    results = []
    entries = {}
    for value in drl_set.values:
        entries.setdefault((value.modality, value.quantity), []).append(value)
    for (modality, key), values in sorted(entries.items()):
        quantity = QUANTITIES.get(key)
        if quantity is None:
            continue
        by_examination = {}
        for value in values:
            by_examination.setdefault(value.examination, []).append(value)
        medians = _medians(quantity, modality, sorted(by_examination), date_from, date_to)
        for system, examination, count, median in medians:
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
    most one standard name per field), and each row is then repeated once per field with
    that field's examination, left empty where an earlier field gave the same one: so a
    value mapped twice to one examination counts once, without de-duplicating every row.
    """
    base = quantity.values()
    fields = [(STUDY_DESCRIPTION, Study.study_description),
              (REQUESTED_PROCEDURE, Study.requested_procedure_code_meaning)]
    if quantity.per != "study":
        fields.append((ACQUISITION_PROTOCOL, base.selected_columns.protocol.element))
    found = []
    for field, column in fields:
        mapping = aliased(StandardName)
        base = base.outerjoin(mapping, and_(mapping.modality == modality, mapping.field == field,
                                            mapping.name == column))
        found.append(mapping.standard_name)
    copies = union_all(*(select(literal(k).label("k")) for k in range(len(found)))).subquery("copies")
    examination = case(*(
        (copies.c.k == k, case((and_(*(name.is_distinct_from(earlier) for earlier in found[:k])),
                                name)) if k else name)
        for k, name in enumerate(found)))
    system = system_name()
    rows = (base.join(copies, true())
            .outerjoin(UniqueEquipmentNames, UniqueEquipmentNames.id == Study.unique_equipment_name_id)
            .with_only_columns(system.label("system"), examination.label("examination"),
                               base.selected_columns.value, base.selected_columns.row_id,
                               maintain_column_froms=True)
            .where(base.selected_columns.value.is_not(None),
                   Study.modality_type.in_(modality_types(modality))))
    if date_from:
        rows = rows.where(Study.study_date >= date_from)
    if date_to:
        rows = rows.where(Study.study_date <= date_to)
    rows = rows.subquery("matched")
    return (select(rows.c.system, rows.c.examination, rows.c.value, rows.c.row_id)
            .where(rows.c.examination.in_(examinations)))


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
