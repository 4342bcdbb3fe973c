"""What imports remember between themselves: codes, identities, settings (app.importing.lookups)."""
import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.importing import lookups, persist
from app.models import (
    ContextID,
    GeneralStudyModuleAttr,
    NotPatientIndicatorsName,
    PatientIDSettings,
    PatientModuleAttr,
    UniqueEquipmentNames,
)
from study_records import study_record


def stored_patient(study_id):
    return db.session.scalars(select(PatientModuleAttr).where(
        PatientModuleAttr.general_study_module_attr_id == study_id)).one()


def empty_every_table():
    """Delete every row with plain SQL, as a restore or a hand-made clean-up would."""
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def test_codes_and_identities_are_kept_after_a_commit(app):
    with app.app_context():
        lookups.forget()
        assert persist(study_record("ct"), "one").status == "imported"
        codes = dict(lookups.known_codes(db.session))
        stored = {(c.code_value, c.code_meaning): c.id for c in db.session.scalars(select(ContextID))}
        assert codes and codes == stored
        identity = db.session.scalars(select(UniqueEquipmentNames)).one()
        kept = [value for value in lookups._memory(db.session).identities.values()]
        assert [(i.id, i.display_name) for i in kept] == [(identity.id, identity.display_name)]


def test_nothing_from_a_rolled_back_import_is_kept(app):
    with app.app_context():
        lookups.forget()
        record = study_record("ct")
        # An event UID longer than its column: refused while the rows go in, after the
        # codes were looked up and inserted.
        record["ctradiationdose_set"][0]["ctirradiationeventdata_set"][0][
            "irradiation_event_uid"] = "1." * 300
        outcome = persist(record, "too long")
        assert outcome.status == "failed"
        assert lookups.known_codes(db.session) == {}
        assert db.session.scalars(select(ContextID)).all() == []


def test_rows_deleted_behind_kermas_back_are_asked_for_again(app):
    with app.app_context():
        assert persist(study_record("ct"), "first").status == "imported"
        empty_every_table()  # codes and identities kept in memory no longer exist
        outcome = persist(study_record("ct"), "second")
        assert outcome.status == "imported", outcome.line()
        study = db.session.get(GeneralStudyModuleAttr, outcome.study_id)
        assert study.generalequipmentmoduleattr_set[0].unique_equipment_name is not None
        event = study.ctradiationdose_set[0].ctirradiationeventdata_set[0]
        assert event.ct_acquisition_type.code_meaning == "Spiral Acquisition"


def test_settings_committed_here_apply_to_the_next_import(app):
    with app.app_context():
        first = persist(study_record("ct", patient_name="TEST^PHANTOM"), "before").study_id
        assert stored_patient(first).patient_name is None  # not stored by default
        db.session.add(PatientIDSettings(name_stored=True, name_hashed=False, id_stored=False,
                                         id_hashed=True, accession_hashed=False,
                                         dob_stored=False))
        db.session.add(NotPatientIndicatorsName(not_patient_name="*phantom*"))
        db.session.commit()
        second = persist(study_record("ct", patient_name="TEST^PHANTOM"), "after").study_id
        patient = stored_patient(second)
        assert patient.patient_name == "TEST^PHANTOM"
        assert patient.not_patient_indicator == "Names: *phantom*"


@pytest.mark.parametrize("seconds, applies", [(0.0, True), (3600.0, False)])
def test_settings_changed_elsewhere_apply_after_the_settings_time(app, monkeypatch,
                                                                   seconds, applies):
    """Another process's change (here a plain SQL update) is seen once the kept settings
    are older than SETTINGS_SECONDS."""
    monkeypatch.setattr(lookups, "SETTINGS_SECONDS", seconds)
    with app.app_context():
        db.session.add(PatientIDSettings(name_stored=False, name_hashed=False, id_stored=False,
                                         id_hashed=True, accession_hashed=False,
                                         dob_stored=False))
        db.session.commit()
        persist(study_record("ct"), "reads the settings")
        db.session.execute(update(PatientIDSettings).values(name_stored=True))
        db.session.commit()
        study_id = persist(study_record("ct", patient_name="DOE^JOHN"), "later").study_id
        assert (stored_patient(study_id).patient_name == "DOE^JOHN") is applies
