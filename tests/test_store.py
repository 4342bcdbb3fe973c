"""How stored studies change when objects of the same study arrive: the decisions of store.py."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.extractors.codes import Code
from app.importing import persist
from app.models.study import GeneralStudyModuleAttr, ObjectUIDsProcessed

SINGLE_PLANE = Code("113622", "Single Plane", "DCM")
STUDY_UID = "1.2.826.0.1.3680043.8.498.1"


def _header(**fields):
    record = {
        "study_instance_uid": STUDY_UID, "study_date": dt.date(2024, 3, 15),
        "study_time": dt.time(10, 15), "accession_number": "ACC1",
        "patientmoduleattr_set": [{"patient_name": "Test^Jane", "patient_id": "QA-1",
                                   "patient_sex": "F"}],
        "patientstudymoduleattr_set": [{"patient_age_decimal": 54.0}],
        "generalequipmentmoduleattr_set": [{"manufacturer": "Vendor", "institution_name": "Hospital",
                                            "station_name": "ROOM1"}],
    }
    record.update(fields)
    return record


def ct_report(sop, events, dlp_total):
    """A CT dose report record with the named events (UID, DLP)."""
    return _header(
        modality_type="CT",
        ctradiationdose_set=[{
            "procedure_reported": Code("P5-08000", "Computed Tomography X-Ray", "SRT"),
            "ctaccumulateddosedata_set": [{"ct_dose_length_product_total": dlp_total,
                                           "total_number_of_irradiation_events": len(events)}],
            "ctirradiationeventdata_set": [
                {"irradiation_event_uid": uid, "dlp": dlp, "mean_ctdivol": dlp / 30,
                 "ct_acquisition_type": Code("116152004", "Spiral Acquisition", "SCT")}
                for uid, dlp in events],
        }],
        _meta={"importer": "rdsr", "sop_instance_uid": sop, "warnings": []},
    )


def dx_record(sop, importer, events, when=None):
    """A projection record from a report ("rdsr") or from one image header ("dx")."""
    daps = [dap for _, dap in events]
    return _header(
        modality_type="DX",
        projectionxrayradiationdose_set=[{
            "procedure_reported": Code("113704", "Projection X-Ray", "DCM"),
            "accumxraydose_set": [{"acquisition_plane": SINGLE_PLANE,
                                   "accumintegratedprojradiogdose_set": [
                                       {"dose_area_product_total": sum(daps)}]}],
            "irradeventxraydata_set": [
                {"irradiation_event_uid": uid, "dose_area_product": dap,
                 "acquisition_plane": SINGLE_PLANE, "date_time_started": when}
                for uid, dap in events],
        }],
        _meta={"importer": importer, "sop_instance_uid": sop, "warnings": [],
               "acquisition_datetime": when},
    )


def _studies():
    return db.session.scalars(select(GeneralStudyModuleAttr).order_by(GeneralStudyModuleAttr.id)).all()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_same_object_twice_is_a_duplicate(ctx):
    assert persist(ct_report("1.1", [("e1", 100.0)], 100.0), "a").status == "imported"
    again = persist(ct_report("1.1", [("e1", 100.0)], 100.0), "a")
    assert again.status == "duplicate" and "imported before" in again.message
    assert len(_studies()) == 1


def test_cumulative_report_replaces_the_smaller_one(ctx):
    persist(ct_report("1.1", [("e1", 100.0)], 100.0), "first")
    outcome = persist(ct_report("1.2", [("e1", 100.0), ("e2", 250.0)], 350.0), "second")
    assert outcome.status == "imported" and "replaced" in outcome.message
    (study,) = _studies()
    assert study.total_dlp == 350.0 and study.number_of_events == 2
    assert {o.sop_instance_uid for o in study.objectuidsprocessed_set} == {"1.1", "1.2"}


def test_smaller_report_after_the_cumulative_one_is_a_duplicate(ctx):
    persist(ct_report("1.2", [("e1", 100.0), ("e2", 250.0)], 350.0), "second")
    outcome = persist(ct_report("1.1", [("e1", 100.0)], 100.0), "first")
    assert outcome.status == "duplicate"
    (study,) = _studies()
    assert study.total_dlp == 350.0
    assert {o.sop_instance_uid for o in study.objectuidsprocessed_set} == {"1.1", "1.2"}


def test_continued_study_is_a_second_study(ctx):
    persist(ct_report("1.1", [("e1", 100.0)], 100.0), "before restart")
    persist(ct_report("1.2", [("e9", 40.0)], 40.0), "after restart")
    assert [s.total_dlp for s in _studies()] == [100.0, 40.0]


def test_report_replaces_a_study_built_from_image_headers(ctx):
    when = dt.datetime(2024, 3, 15, 10, 16)
    persist(dx_record("img1", "dx", [("img1", 2e-5)], when), "image 1")
    persist(dx_record("img2", "dx", [("img2", 3e-5)], when + dt.timedelta(minutes=1)), "image 2")
    (study,) = _studies()
    assert study.number_of_events == 2 and study.total_dap == pytest.approx(5e-5)
    outcome = persist(dx_record("sr1", "rdsr", [("ev1", 2e-5), ("ev2", 3e-5)]), "report")
    assert outcome.status == "imported"
    (study,) = _studies()
    assert study.number_of_events == 2 and study.total_dap == pytest.approx(5e-5)
    assert {o.sop_instance_uid for o in study.objectuidsprocessed_set} == {"img1", "img2", "sr1"}


def test_image_header_after_the_report_is_a_duplicate(ctx):
    persist(dx_record("sr1", "rdsr", [("ev1", 2e-5)]), "report")
    outcome = persist(dx_record("img1", "dx", [("img1", 2e-5)], dt.datetime(2024, 3, 15, 10, 16)),
                      "image")
    assert outcome.status == "duplicate" and "dose report" in outcome.message
    (study,) = _studies()
    assert study.number_of_events == 1


def test_for_processing_and_presentation_pair_counts_once(ctx):
    when = dt.datetime(2024, 3, 15, 10, 16)
    persist(dx_record("img1", "dx", [("img1", 2e-5)], when), "for processing")
    outcome = persist(dx_record("img2", "dx", [("img2", 2e-5)], when), "for presentation")
    assert outcome.status == "duplicate"
    assert _studies()[0].number_of_events == 1


def test_identifiers_follow_the_site_policy(ctx):
    from app.importing.identity import seed_default_patterns

    seed_default_patterns(db.session)
    db.session.commit()
    persist(ct_report("1.1", [("e1", 100.0)], 100.0), "a")
    (study,) = _studies()
    patient = study.patientmoduleattr_set[0]
    # Not stored by default, but matched against the test-patient patterns before dropping.
    assert patient.patient_name is None and patient.patient_id is None
    assert patient.not_patient_indicator == "IDs: *qa* | Names: *test*"


def test_hashed_identifiers_when_the_site_stores_them(ctx):
    from app.importing.identity import hash_identifier
    from app.models.settings import PatientIDSettings

    db.session.add(PatientIDSettings(name_stored=True, name_hashed=True, id_stored=True,
                                     id_hashed=False, accession_hashed=True, dob_stored=False))
    db.session.commit()
    persist(ct_report("1.1", [("e1", 100.0)], 100.0), "a")
    (study,) = _studies()
    patient = study.patientmoduleattr_set[0]
    assert patient.patient_name == hash_identifier("Test^Jane") and patient.name_hashed
    assert patient.patient_id == "QA-1" and not patient.id_hashed
    assert study.accession_number == hash_identifier("ACC1") and study.accession_hashed


def test_not_patient_patterns_match_the_documented_name_form(ctx):
    from app.importing.identity import not_patient_indicator

    assert not_patient_indicator("QA-1", "Test^Jane", ["*qa*"], ["*^jane*"]) == (
        "IDs: *qa* | Names: *^jane*")
    assert not_patient_indicator("12345", "Doe^John", ["*qa*"], ["*test*"]) is None


def test_failed_store_writes_nothing(ctx):
    record = ct_report("1.1", [("e1", 100.0)], 100.0)
    record["ctradiationdose_set"][0]["ctirradiationeventdata_set"][0]["mean_ctdivol"] = "oops"
    outcome = persist(record, "broken")
    assert outcome.status == "failed"
    assert db.session.scalar(select(func.count(ObjectUIDsProcessed.id))) == 0
    assert _studies() == []
