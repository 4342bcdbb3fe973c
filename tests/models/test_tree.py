"""The tree helpers, and the naming and cascade rules that generic store/dump code relies on."""
import re

import pytest
from sqlalchemy import inspect

from app.extensions import db
from app.models import (
    ContextID,
    CtDoseCheckDetails,
    CtIrradiationEventData,
    CtRadiationDose,
    GeneralEquipmentModuleAttr,
    GeneralStudyModuleAttr,
    IrradEventXRaySourceData,
    PersonParticipant,
    UniqueEquipmentNames,
)
from app.models.tree import (
    MODEL_BY_NAME,
    child_collections,
    coded_fields,
    object_fields,
    parent_fields,
    string_lengths,
    value_fields,
)

POSTGRES_IDENTIFIER_LIMIT = 63


def test_study_children_are_the_module_rows_and_template_roots():
    assert child_collections(GeneralStudyModuleAttr) == {
        "patientmoduleattr_set": MODEL_BY_NAME["patientmoduleattr"],
        "patientstudymoduleattr_set": MODEL_BY_NAME["patientstudymoduleattr"],
        "generalequipmentmoduleattr_set": GeneralEquipmentModuleAttr,
        "objectuidsprocessed_set": MODEL_BY_NAME["objectuidsprocessed"],
        "ctradiationdose_set": CtRadiationDose,
        "projectionxrayradiationdose_set": MODEL_BY_NAME["projectionxrayradiationdose"],
        "radiopharmaceuticalradiationdose_set": MODEL_BY_NAME["radiopharmaceuticalradiationdose"],
    }


def test_dose_check_people_are_child_collections_of_their_own():
    assert child_collections(CtDoseCheckDetails) == {
        "tid1020_alert": PersonParticipant,
        "tid1020_notification": PersonParticipant,
    }
    assert "personparticipant_set" not in child_collections(CtDoseCheckDetails)


def test_coded_fields_are_the_context_id_relationships():
    assert coded_fields(CtRadiationDose) == {
        "procedure_reported", "has_intent", "scope_of_accumulation", "uid_type",
        "source_of_dose_information",
    }
    assert {"ct_acquisition_type", "ctdiw_phantom_type", "target_region"} <= coded_fields(
        CtIrradiationEventData)
    assert coded_fields(GeneralStudyModuleAttr) == set()


def test_parent_and_object_fields():
    assert parent_fields(CtIrradiationEventData) == {"ct_radiation_dose": CtRadiationDose}
    assert parent_fields(PersonParticipant)["ct_dose_check_details_alert"] is CtDoseCheckDetails
    assert object_fields(GeneralEquipmentModuleAttr) == {
        "unique_equipment_name": UniqueEquipmentNames}
    assert object_fields(CtIrradiationEventData) == {}


def test_value_fields_leave_out_keys_and_keep_declaration_order():
    fields = value_fields(CtIrradiationEventData)
    assert fields[:2] == ["acquisition_protocol", "irradiation_event_uid"]
    assert "mean_ctdivol" in fields and "dlp" in fields
    assert not any(name == "id" or name.endswith("_id") for name in fields)


def test_string_lengths_expose_column_limits():
    lengths = string_lengths(GeneralStudyModuleAttr)
    assert lengths["study_instance_uid"] == 128
    assert lengths["operator_name"] == 1024
    assert lengths["modality_type"] == 64
    assert "study_description" not in lengths  # Text: no limit to truncate to


def test_model_by_name_covers_every_table():
    assert MODEL_BY_NAME["ctirradiationeventdata"] is CtIrradiationEventData
    assert MODEL_BY_NAME["contextid"] is ContextID
    assert {cls.__table__.name for cls in MODEL_BY_NAME.values()} == set(db.metadata.tables)


#: The dose data model's modules; users, tasks and other application tables follow their own
#: conventions.
DOSE_MODULES = {"app.models.study", "app.models.codes", "app.models.ct", "app.models.projection",
                "app.models.nm", "app.models.participants", "app.models.settings"}


@pytest.mark.parametrize("model", sorted((cls for cls in MODEL_BY_NAME.values()
                                          if cls.__module__ in DOSE_MODULES),
                                         key=lambda cls: cls.__name__),
                         ids=lambda cls: cls.__name__)
def test_model_follows_the_tree_conventions(model):
    table = model.__table__
    assert re.fullmatch(r"[a-z][a-z0-9_]*", table.name)
    assert len(table.name) <= POSTGRES_IDENTIFIER_LIMIT
    assert all(len(column.name) <= POSTGRES_IDENTIFIER_LIMIT for column in table.columns)

    indexed = {index.columns[0].name for index in table.indexes if index.columns}
    for column in table.columns:
        if column.foreign_keys:
            assert column.name in indexed, f"{table.name}.{column.name} has no index"

    for key, child in child_collections(model).items():
        if not key.startswith("tid1020_"):
            assert key == f"{child.__name__.lower()}_set"
        rel = inspect(model).relationships[key]
        assert rel.passive_deletes is True
        assert [column.name for column in rel.order_by] == ["id"]
        for column in rel.remote_side:
            assert [fk.ondelete for fk in column.foreign_keys] == ["CASCADE"]

    for field in coded_fields(model):
        rel = inspect(model).relationships[field]
        assert [column.name for column in rel.local_columns] == [f"{field}_id"]


def test_source_data_owns_the_repeatable_parameters():
    assert set(child_collections(IrradEventXRaySourceData)) == {
        "kvp_set", "xraytubecurrent_set", "exposure_set", "pulsewidth_set", "xrayfilters_set",
        "xraygrid_set", "deviceparticipant_set",
    }
