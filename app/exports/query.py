"""Which studies an export holds: the same filters, from the same query-string arguments, as
the modality list pages.

The list pages' ``app.modalities.filtering.filter_studies`` does the work when it is
installed; until then a few filters are applied here (dates, study description, display
name) and the other arguments are ignored.
"""
import datetime
from importlib import import_module

from sqlalchemy import Select, select

from ..models.study import GeneralEquipmentModuleAttr, GeneralStudyModuleAttr, UniqueEquipmentNames
from ..studies import MODALITY_TYPES


def export_query(modality: str, args) -> Select:
    """The studies of ``modality`` (ct, rf, mg, dx, nm) selected by the list-page ``args``."""
    try:
        filter_studies = import_module("app.modalities.filtering").filter_studies
        config = import_module(f"app.modalities.{modality}").config
    except (ImportError, AttributeError):
        return _basic_filters(modality, args)
    return filter_studies(config, args)


def _basic_filters(modality, args):
    study = GeneralStudyModuleAttr
    query = select(study).where(study.modality_type.in_(MODALITY_TYPES[modality.upper()]))
    if (date_from := _date(args.get("date_from"))) is not None:
        query = query.where(study.study_date >= date_from)
    if (date_until := _date(args.get("date_until"))) is not None:
        query = query.where(study.study_date <= date_until)
    if description := (args.get("study_description") or "").strip():
        query = query.where(study.study_description.icontains(description, autoescape=True))
    if display_name := (args.get("display_name") or "").strip():
        equipment = (
            select(GeneralEquipmentModuleAttr.id)
            .join(UniqueEquipmentNames,
                  UniqueEquipmentNames.id == GeneralEquipmentModuleAttr.unique_equipment_name_id)
            .where(GeneralEquipmentModuleAttr.general_study_module_attr_id == study.id,
                   UniqueEquipmentNames.display_name.icontains(display_name, autoescape=True))
        )
        query = query.where(equipment.exists())
    return query.order_by(study.study_date.desc(), study.study_time.desc(), study.id.desc())


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
