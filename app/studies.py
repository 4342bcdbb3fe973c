"""Stored studies as a whole: finding, counting and dumping them."""
from sqlalchemy import func, select

from .extensions import db
from .importing.rows import dump, plain
from .models.study import GeneralStudyModuleAttr
from .models.tree import value_fields

#: The modality_type values each modality page shows.
MODALITY_TYPES = {
    "CT": ("CT",), "RF": ("RF",), "MG": ("MG",), "DX": ("DX", "CR", "PX"), "NM": ("NM",),
}


def dump_study(study: GeneralStudyModuleAttr) -> dict:
    """A stored study in the layout of the reference dumps (``flask studies dump --json``)."""
    out = dump(study)
    # The study's system as a row id (for grouping): not a value; the identity itself is
    # dumped with the equipment below.
    out.pop("unique_equipment_name_id", None)
    out["study_workload_chart_time"] = plain(study.study_workload_chart_time)
    for row, equipment in zip(study.generalequipmentmoduleattr_set,
                              out.get("generalequipmentmoduleattr_set", ())):
        identity = row.unique_equipment_name
        equipment["unique_equipment_name"] = None if identity is None else {
            name: plain(getattr(identity, name)) for name in value_fields(type(identity))
        }
    return out


def studies_by_uid(study_uid: str) -> list[GeneralStudyModuleAttr]:
    """Every stored study with this Study Instance UID, oldest first."""
    return db.session.scalars(
        select(GeneralStudyModuleAttr)
        .where(GeneralStudyModuleAttr.study_instance_uid == study_uid)
        .order_by(GeneralStudyModuleAttr.id)
    ).all()


def count_studies(modality: str | None = None) -> int:
    """Number of stored studies, optionally of one modality page (CT, RF, MG, DX, NM)."""
    query = select(func.count(GeneralStudyModuleAttr.id))
    if modality:
        query = query.where(GeneralStudyModuleAttr.modality_type.in_(MODALITY_TYPES[modality.upper()]))
    return db.session.scalar(query)
