"""Standard examination names: the names devices write, mapped once to the names DRLs use.

The mapping is data (``StandardName`` rows), read at query time by the DRL comparison, the
list filter "Standard name", the charts per standard name and the exports' "Standard name"
column, so a change applies to every stored study at once, without re-import: assigning a
standard name to names that 100,000 studies carry writes one row per name, not per study.
"""
from sqlalchemy import and_, case, delete, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..audit import record_audit
from ..extensions import db
from ..models.ct import CtIrradiationEventData, CtRadiationDose
from ..models.drl import (
    ACQUISITION_PROTOCOL,
    NAME_FIELDS,
    REQUESTED_PROCEDURE,
    STUDY_DESCRIPTION,
    StandardName,
)
from ..models.projection import IrradEventXRayData, ProjectionXRayRadiationDose
from ..models.study import GeneralStudyModuleAttr as Study
from .comparison import modality_types

def drl_modality(modality_type):
    """The standard-name modality of a stored modality type (CR and PX are DX's).

    Two equalities rather than IN: the exports compile their statements once, and an IN
    list would be left to expand at execution.
    """
    return case((or_(modality_type == "CR", modality_type == "PX"), literal("DX")),
                else_=modality_type)


def mapped_name(field: str, column, modality_type=None):
    """The standard name ``column`` (a name of ``field``) is mapped to, as a correlated
    scalar subquery for the study being selected; NULL when unmapped."""
    modality_type = Study.modality_type if modality_type is None else modality_type
    return (select(StandardName.standard_name)
            .where(StandardName.modality == drl_modality(modality_type),
                   StandardName.field == field, StandardName.name == column)
            .limit(1).scalar_subquery())


def study_standard_name_joins():
    """(joins, name) for reaching a study's standard name by outer joins instead of
    ``study_standard_name``'s subqueries: ``joins`` are (mapping alias, on-clause) pairs to
    outer-join to the study, ``name`` the expression over them. A join is hashed once per
    query; a correlated subquery runs once per study (the difference on a chart of 180,000
    studies is about 300 ms, measured)."""
    joins, names = [], []
    for field, column in ((STUDY_DESCRIPTION, Study.study_description),
                          (REQUESTED_PROCEDURE, Study.requested_procedure_code_meaning)):
        mapping = aliased(StandardName, name=f"standard_{field}")
        joins.append((mapping, and_(mapping.modality == drl_modality(Study.modality_type),
                                    mapping.field == field, mapping.name == column)))
        names.append(mapping.standard_name)
    return tuple(joins), func.coalesce(*names)


def study_standard_name():
    """A study's standard name: its study description's, else its requested procedure's."""
    return func.coalesce(mapped_name(STUDY_DESCRIPTION, Study.study_description),
                         mapped_name(REQUESTED_PROCEDURE, Study.requested_procedure_code_meaning))


FIELD_LABELS = {STUDY_DESCRIPTION: "Study description", REQUESTED_PROCEDURE: "Requested procedure",
                ACQUISITION_PROTOCOL: "Acquisition protocol"}


def _name_counts(modality: str, field: str):
    """(name, studies) for every name of ``field`` in the modality's stored studies."""
    types = modality_types(modality)
    if field == STUDY_DESCRIPTION:
        column, query = Study.study_description, select(Study.study_description)
    elif field == REQUESTED_PROCEDURE:
        column = Study.requested_procedure_code_meaning
        query = select(column)
    elif modality == "CT":
        column = CtIrradiationEventData.acquisition_protocol
        query = (select(column).join(CtRadiationDose, CtRadiationDose.id
                                     == CtIrradiationEventData.ct_radiation_dose_id)
                 .join(Study, Study.id == CtRadiationDose.general_study_module_attr_id))
    elif modality in ("RF", "MG", "DX"):
        column = IrradEventXRayData.acquisition_protocol
        query = (select(column).join(ProjectionXRayRadiationDose, ProjectionXRayRadiationDose.id
                                     == IrradEventXRayData.projection_xray_radiation_dose_id)
                 .join(Study, Study.id == ProjectionXRayRadiationDose.general_study_module_attr_id))
    else:
        return []
    query = (query.add_columns(func.count(func.distinct(Study.id)))
             .where(Study.modality_type.in_(types), column.is_not(None), column != "")
             .group_by(column).order_by(column))
    return db.session.execute(query).all()


def names_seen(modality: str) -> list[dict]:
    """Every name stored for the modality, per field, with its study count and standard name."""
    mapped = {(row.field, row.name): row.standard_name for row in db.session.scalars(
        select(StandardName).where(StandardName.modality == modality))}
    names = []
    for field in NAME_FIELDS:
        for name, studies in _name_counts(modality, field):
            names.append({"field": field, "label": FIELD_LABELS[field], "name": name,
                          "studies": studies, "standard_name": mapped.pop((field, name), None)})
    # Mappings of names no stored study has (yet) are kept and shown too.
    for (field, name), standard_name in sorted(mapped.items()):
        names.append({"field": field, "label": FIELD_LABELS[field], "name": name, "studies": 0,
                      "standard_name": standard_name})
    return names


def assign(modality: str, names: list[tuple[str, str]], standard_name: str | None) -> int:
    """Map every (field, name) to ``standard_name``; None or "" removes their mapping."""
    names = [(field, name) for field, name in dict.fromkeys(names) if field in NAME_FIELDS]
    if not names:
        return 0
    standard_name = (standard_name or "").strip()[:256] or None
    existing = {(row.field, row.name): row for row in db.session.scalars(
        select(StandardName).where(StandardName.modality == modality))}
    changes = []
    for field, name in names:
        row = existing.get((field, name))
        before = row.standard_name if row else None
        if before == standard_name:
            continue
        if standard_name is None:
            db.session.execute(delete(StandardName).where(StandardName.id == row.id))
        elif row is None:
            db.session.add(StandardName(modality=modality, field=field, name=name,
                                        standard_name=standard_name))
        else:
            row.standard_name = standard_name
        changes.append(f"{field} {name!r}: {before!r} -> {standard_name!r}")
    if changes:
        record_audit("standard_name.assign", f"{modality} standard names", "\n".join(changes))
    db.session.commit()
    return len(changes)
