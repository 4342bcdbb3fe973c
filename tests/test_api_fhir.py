"""The FHIR dose summary of a study (``/api/v1/studies/<id>/fhir``) against the Radiation
Dose Summary for Diagnostic Procedures implementation guide (hl7.fhir.uv.radiation-dose-summary
1.0.0, profile sources input/fsh/RadiationDoseSummary.fsh, CTIrradiationEvent.fsh,
IrradiationEvent.fsh and Modality.fsh)."""
import datetime

import pytest

from app.api.tokens import create_token
from app.extensions import db
from app.extractors.codes import Code
from app.models.auth import User
from app.models.settings import PatientIDSettings
from study_records import store_records, study_record

IG = "http://hl7.org/fhir/uv/radiation-dose-summary"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
UCUM = "http://unitsofmeasure.org"

#: What the RadiationDoseSummary profile requires (cardinality 1..1 or a fixed value), by
#: element, as the guide's profile states it.
SUMMARY_REQUIRED = {
    "status": "1..1 (Observation)",
    "code": "= LOINC#73569-6",
    "subject": "1..1 Reference(Patient)",
    "focus": "1..1 Reference(ImagingStudy)",
    "partOf[imagingStudyRef]": "1..1 Reference(ImagingStudy), identifier type "
                               "study-instance-uid, system urn:dicom:uid, value 1..1",
    "effectiveDateTime": "1..1 dateTime",
    "valueString": "1..1 string",
    "performer[irradiationAutorizingPerson]": "1..1 Reference(Practitioner)",
}
#: Elements the profile forbids (0..0).
SUMMARY_FORBIDDEN = ("dataAbsentReason", "specimen")
#: ComponentRadiationDoseSummaryVS, with Procedure reported (121058) of the earlier profile.
COMPONENT_CODES = {"121058", "113813", "113725", "111637", "113722", "113726", "113727",
                   "113730", "113731", "113507", "349358000", "89457008", "123005",
                   "410675002"}
#: What the CT Irradiation Event Summary profile (and its parent) requires.
CT_EVENT_REQUIRED = ("identifier[irradiationEventUID]", "code = DCM#113852", "subject",
                     "effectiveDateTime", "bodySite")


def _bundle(app, client, make_user, study_id, *roles):
    user = make_user(roles=roles or ("view",))
    with app.app_context():
        _, token = create_token(db.session.get(User, user.id), "fhir")
        db.session.commit()
    response = client.get(f"/api/v1/studies/{study_id}/fhir",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    return response.get_json()


def _resources(bundle, kind):
    return [entry["resource"] for entry in bundle["entry"]
            if entry["resource"]["resourceType"] == kind]


def _resolve(bundle, reference):
    found = [entry["resource"] for entry in bundle["entry"] if entry["fullUrl"] == reference]
    assert len(found) == 1, reference
    return found[0]


def _components(observation):
    return {component["code"]["coding"][0]["code"]: component
            for component in observation["component"]}


def _quantity(component):
    quantity = component["valueQuantity"]
    assert quantity["system"] == UCUM and quantity["code"] == quantity["unit"]
    return quantity["value"], quantity["unit"]


def _check_summary(bundle, summary):
    """The RadiationDoseSummary profile's required and forbidden elements."""
    assert summary["meta"]["profile"] == [f"{IG}/StructureDefinition/radiation-dose-summary"]
    assert summary["status"] == "final"
    assert summary["code"]["coding"] == [{
        "system": "http://loinc.org", "code": "73569-6",
        "display": "Radiation exposure and protection information [Description] Document "
                   "Diagnostic imaging"}]
    assert _resolve(bundle, summary["subject"]["reference"])["resourceType"] == "Patient"
    assert len(summary["focus"]) == 1
    study = _resolve(bundle, summary["focus"][0]["reference"])
    assert study["resourceType"] == "ImagingStudy"
    study_refs = [ref for ref in summary["partOf"] if ref["type"] == "ImagingStudy"]
    assert len(study_refs) == 1
    assert _resolve(bundle, study_refs[0]["reference"]) is study
    identifier = study_refs[0]["identifier"]
    assert identifier["type"]["coding"][0]["system"] == f"{IG}/CodeSystem/dicom-identifier-type"
    assert identifier["type"]["coding"][0]["code"] == "study-instance-uid"
    assert identifier["system"] == "urn:dicom:uid"
    assert identifier["value"].startswith("urn:oid:1.2.826.")
    assert identifier == study["identifier"][0]
    datetime.datetime.fromisoformat(summary["effectiveDateTime"])
    assert isinstance(summary["valueString"], str) and summary["valueString"]
    assert len(summary["performer"]) == 1 and summary["performer"][0]["type"] == "Practitioner"
    for name in SUMMARY_FORBIDDEN:
        assert name not in summary
    for identifier in summary.get("identifier", ()):
        assert identifier["type"]["coding"][0]["code"] == "sop-instance-uid"
        assert identifier["system"] == "urn:dicom:uid" and identifier["value"]
    assert set(_components(summary)) <= COMPONENT_CODES
    assert _resolve(bundle, summary["device"]["reference"])["resourceType"] == "Device"
    assert len(SUMMARY_REQUIRED) == 8  # each checked above


@pytest.fixture
def identifiers_as_sent(app):
    with app.app_context():
        db.session.add(PatientIDSettings(name_stored=True, name_hashed=False, id_stored=True,
                                         id_hashed=False))
        db.session.commit()


def _ct_record():
    record = study_record("ct", dlp=400.0, ctdivol=12.5, events=("localiser", "spiral"),
                          accession="ACC-77", date=datetime.date(2024, 3, 5),
                          time=datetime.time(9, 30))
    dose = record["ctradiationdose_set"][0]
    dose["start_of_xray_irradiation"] = datetime.datetime(2024, 3, 5, 9, 31, 4)
    dose["personparticipant_set"] = [{
        "person_name": "HOUSE^GREGORY",
        "person_role_in_procedure_cid": Code("113850", "Irradiation Authorizing", "DCM")}]
    events = dose["ctirradiationeventdata_set"]
    events[1]["target_region"] = Code("T-D3000", "Chest", "SRT")
    events[1]["date_time_started"] = datetime.datetime(2024, 3, 5, 9, 32, 10)
    return record


def test_a_ct_study_gives_the_profiles_required_elements(app, client, make_user,
                                                         identifiers_as_sent):
    [study_id] = store_records(app, [_ct_record()])
    bundle = _bundle(app, client, make_user, study_id)
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    [summary] = _resources(bundle, "Observation")[-1:]
    _check_summary(bundle, summary)
    assert summary["effectiveDateTime"] == "2024-03-05T09:31:04"
    assert summary["performer"][0]["display"] == "HOUSE GREGORY"
    components = _components(summary)
    assert components["121058"]["valueCodeableConcept"]["coding"][0]["code"] == "77477000"
    assert _quantity(components["113813"]) == (400.0, "mGy.cm")
    assert summary["valueString"] == ("Computerized tomography: "
                                      "CT Dose Length Product Total 400 mGy.cm.")
    assert summary["basedOn"][0]["identifier"]["value"] == "ACC-77"
    assert summary["basedOn"][0]["identifier"]["type"]["coding"][0]["code"] == "ACSN"
    assert len(summary["identifier"]) == 1  # the one object imported

    events = [_resolve(bundle, member["reference"]) for member in summary["hasMember"]]
    assert len(events) == 2
    for event in events:
        assert event["meta"]["profile"] == [f"{IG}/StructureDefinition/ct-irradiation-event-summary"]
        assert event["code"]["coding"] == [{"system": DCM, "code": "113852",
                                            "display": "Irradiation Event"}]
        assert event["identifier"][0]["value"].startswith("urn:oid:")
        assert event["subject"] == summary["subject"]
        assert "effectiveDateTime" in event and "bodySite" in event
        assert "valueQuantity" not in event and "valueString" not in event
        parts = _components(event)
        assert _quantity(parts["113830"]) == (12.5, "mGy")
        assert _quantity(parts["113838"]) == (200.0, "mGy.cm")
        assert parts["113835"]["valueCodeableConcept"]["coding"][0]["code"] == "113691"
    assert events[1]["bodySite"]["coding"][0]["code"] == "T-D3000"
    assert events[1]["effectiveDateTime"] == "2024-03-05T09:32:10"
    # No target region recorded for the localiser: the element says so.
    assert events[0]["bodySite"]["extension"][0]["valueCode"] == "unknown"
    assert len(CT_EVENT_REQUIRED) == 5  # each checked above

    [device] = _resources(bundle, "Device")
    assert device["type"]["coding"][0]["code"] == "CT"
    assert device["manufacturer"] == "Acme Medical"
    assert {"name": "Imager 9000", "type": "model-name"} in device["deviceName"]


def test_patient_identifiers_only_with_the_pid_role(app, client, make_user,
                                                    identifiers_as_sent):
    [study_id] = store_records(app, [_ct_record()])
    [patient] = _resources(_bundle(app, client, make_user, study_id), "Patient")
    assert patient["gender"] == "female"
    assert "identifier" not in patient and "name" not in patient
    [patient] = _resources(_bundle(app, client, make_user, study_id, "view", "pid"), "Patient")
    assert patient["identifier"] == [{"value": "PID-1"}]
    assert patient["name"][0]["family"] == "DOE"


@pytest.mark.parametrize("modality, dose, expected", [
    ("rf", {"dap_a": 3e-4, "rp_a": 0.02}, {"113722": (3e-4, "Gy.m2"), "113725": (0.02, "Gy")}),
    ("dx", {"dap": 2e-5}, {"113722": (2e-5, "Gy.m2")}),
    ("mg", {"agd_left": 1.2, "agd_right": 1.4}, {"111637": (1.4, "mGy")}),
    ("nm", {"activity": 350.0}, {"113507": (350.0, "MBq")}),
])
def test_other_modalities_give_their_dose_components(app, client, make_user, modality, dose,
                                                     expected):
    [study_id] = store_records(app, [study_record(modality, **dose)])
    bundle = _bundle(app, client, make_user, study_id)
    [summary] = _resources(bundle, "Observation")
    _check_summary(bundle, summary)
    components = _components(summary)
    for code, value in expected.items():
        assert _quantity(components[code]) == value
    procedure = components["121058"]["valueCodeableConcept"]["coding"][0]["code"]
    assert procedure == {"rf": "113704", "dx": "113704", "mg": "71651007", "nm": "113502"}[
        modality]
    # No authorizing person recorded: the reference says it is unknown.
    assert summary["performer"][0]["extension"][0]["valueCode"] == "unknown"


def test_mammography_gives_the_agd_of_each_breast(app, client, make_user):
    [study_id] = store_records(app, [study_record("mg", agd_left=1.2, agd_right=1.4)])
    [summary] = _resources(_bundle(app, client, make_user, study_id), "Observation")
    agds = sorted((c["code"]["text"], c["valueQuantity"]["value"])
                  for c in summary["component"] if c["code"]["coding"][0]["code"] == "111637")
    assert agds == [("Left breast", 1.2), ("Right breast", 1.4)]
