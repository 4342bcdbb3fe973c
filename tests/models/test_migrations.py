"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.extensions import db


def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_of_an_empty_database_matches_the_models(schema_app):
    flask_migrate.upgrade()

    assert _differences() == []
    tables = set(inspect(db.engine).get_table_names())
    assert tables == set(db.metadata.tables) | {"alembic_version"}

    inspector = inspect(db.engine)

    study_indexes = {
        tuple(index["column_names"]) for index in inspector.get_indexes("general_study_module_attr")
    }
    assert ("modality_type", "study_date", "study_time", "id",
            "unique_equipment_name_id", "not_patient") in study_indexes
    assert ("study_instance_uid",) in study_indexes
    assert ("accession_number",) in study_indexes
    uniques = {
        tuple(sorted(unique["column_names"]))
        for unique in inspector.get_unique_constraints("unique_equipment_names")
    }
    assert tuple(sorted(
        f"{field}_hash" for field in (
            "manufacturer", "institution_name", "station_name", "institutional_department_name",
            "manufacturer_model_name", "device_serial_number", "software_versions", "gantry_id",
            "device_observer_uid")
    )) in uniques
    cascades = {
        fk["referred_table"]: fk["options"].get("ondelete")
        for fk in inspector.get_foreign_keys("ct_irradiation_event_data")
    }
    assert cascades["ct_radiation_dose"] == "CASCADE"
    assert cascades["context_id"] is None


def test_downgrade_to_base_removes_every_table(schema_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")

    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_the_test_data_mark_is_copied_to_stored_studies(schema_app):
    flask_migrate.upgrade(revision="c4e1a7d9b3f2")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO general_study_module_attr (id, modality_type, accession_hashed) "
            "VALUES (1, 'CT', false), (2, 'CT', false)"))
        connection.execute(text(
            "INSERT INTO patient_module_attr (id, general_study_module_attr_id, name_hashed, "
            "id_hashed, not_patient_indicator) VALUES (1, 1, false, false, 'Names: *phantom*'), "
            "(2, 2, false, false, NULL)"))
    flask_migrate.upgrade(revision="a9d3f6c2e815")
    with db.engine.connect() as connection:
        flags = dict(connection.execute(text(
            "SELECT id, not_patient FROM general_study_module_attr")).all())
    assert {study: bool(flag) for study, flag in flags.items()} == {1: True, 2: False}
    flask_migrate.downgrade(revision="c4e1a7d9b3f2")
    columns = {c["name"] for c in inspect(db.engine).get_columns("general_study_module_attr")}
    assert "not_patient" not in columns and "unique_equipment_name_id" in columns
