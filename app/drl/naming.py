"""Standard examination names: the names devices write, mapped once to the names DRLs use.

The mapping is data (``StandardName`` rows), read by the DRL comparison at query time, so a
change applies to every stored study at once, without re-import.
"""
from sqlalchemy import delete, func, select

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
