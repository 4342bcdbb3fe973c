"""Nuclear medicine extractors: radiopharmaceutical dose reports and NM/PET image headers."""
import datetime as dt

import pytest
from pydicom import dcmread
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag

import conformance
import dicom_builders as b
from app.extractors import sop
from app.extractors.dispatch import extract, importer_for
from app.extractors.errors import ExtractionError, NotDoseObject

# Concepts used to build reports (PS3.16 TID 10021-10024).
REPORT = ("113500", "Radiopharmaceutical Radiation Dose Report")
ADMINISTRATION = ("113502", "Radiopharmaceutical Administration")
AGENT = ("349358000", "Radiopharmaceutical agent", "SCT")
AGENT_SRT = ("F-61FDB", "Radiopharmaceutical agent", "SRT")
RADIONUCLIDE = ("89457008", "Radionuclide", "SCT")
HALF_LIFE = ("304283002", "Radionuclide Half Life", "SCT")
SPECIFIC_ACTIVITY = ("123007", "Radiopharmaceutical Specific Activity")
EVENT_UID = ("113503", "Radiopharmaceutical Administration Event UID")
EXTRAVASATION_SYMPTOMS = ("113505", "Intravenous Extravasation Symptoms")
EXTRAVASATION_ACTIVITY = ("113506", "Estimated Extravasation Activity")
START = ("123003", "Radiopharmaceutical Start DateTime")
STOP = ("123004", "Radiopharmaceutical Stop DateTime")
ACTIVITY = ("113507", "Administered activity")
VOLUME = ("123005", "Radiopharmaceutical Volume")
PRE_ACTIVITY = ("113508", "Pre-Administration Measured Activity")
POST_ACTIVITY = ("113509", "Post-Administration Measured Activity")
MEASUREMENT_DEVICE = ("113540", "Activity Measurement Device")
ROUTE = ("410675002", "Route of administration", "SCT")
SITE_OF = ("272737002", "Site of", "SCT")
LATERALITY = ("272741003", "Laterality", "SCT")
BRAND_NAME = ("111529", "Brand Name")
DISPENSE_UNIT = ("113511", "Radiopharmaceutical Dispense Unit Identifier")
LOT = ("113512", "Radiopharmaceutical Lot Identifier")
REAGENT_VIAL = ("113513", "Reagent Vial Identifier")
RADIONUCLIDE_VIAL = ("113514", "Radionuclide Vial Identifier")
PRESCRIPTION = ("113516", "Prescription Identifier")
COMMENT = ("121106", "Comment")
BILLING_CODE = ("121147", "Billing Code(s)")
DRUG_PRODUCT = ("113510", "Drug Product Identifier")
EFFECTIVE_DOSE = ("113839", "Effective Dose")
ORGAN_DOSE_INFORMATION = ("113517", "Organ Dose Information")
FINDING_SITE = ("363698007", "Finding Site", "SCT")
FINDING_SITE_SRT = ("G-C0E3", "Finding Site", "SRT")
MASS = ("118538004", "Mass", "SCT")
MEASUREMENT_METHOD = ("370129005", "Measurement Method", "SCT")
ORGAN_DOSE = ("113518", "Organ Dose")
REFERENCE_AUTHORITY = ("121406", "Reference Authority")
PERSON_NAME = ("113870", "Person Name")
PERSON_ROLE = ("113875", "Person Role in Procedure")
OBSERVER_TYPE = ("121005", "Observer Type")
PERSON_OBSERVER_NAME = ("121008", "Person Observer Name")
DEVICE_OBSERVER_UID = ("121012", "Device Observer UID")
DEVICE_OBSERVER_NAME = ("121013", "Device Observer Name")
ASSOCIATED_PROCEDURE = ("363589002", "Associated Procedure", "SCT")
HAS_INTENT = ("363703001", "Has Intent", "SCT")
LANGUAGE = ("121049", "Language of Content Item and Descendants")
COUNTRY = ("121046", "Country of Language")
PATIENT_CHARACTERISTICS = ("121118", "Patient Characteristics")
SUBJECT_AGE = ("121033", "Subject Age")
SUBJECT_SEX = ("121032", "Subject Sex")
HEIGHT = ("8302-2", "Patient Height", "LN")
WEIGHT = ("29463-7", "Patient Weight", "LN")
BSA = ("8277-6", "Body Surface Area", "LN")
BSA_FORMULA = ("8278-4", "Body Surface Area Formula", "LN")
BMI = ("60621009", "Body Mass Index", "SCT")
EQUATION = ("121420", "Equation")
GLUCOSE = ("14749-6", "Glucose", "LN")
FASTING = ("113550", "Fasting Duration")
HYDRATION = ("113551", "Hydration Volume")
PHYSICAL_ACTIVITY = ("113552", "Recent Physical Activity")
CREATININE = ("2160-0", "Serum Creatinine", "LN")
PATIENT_STATE = ("109054", "Patient state")
GFR = ("80274001", "Glomerular Filtration Rate", "SCT")
EQUIVALENT_MEANING = ("121050", "Equivalent Meaning of Concept Name")

FDG = ("C-B1031", "Fluorodeoxyglucose F^18^", "SRT")
F18 = ("C-111A1", "^18^Fluorine", "SRT")
TC99M = ("C-163A8", "^99m^Technetium", "SRT")
INTRAVENOUS = ("47625008", "Intravenous route", "SCT")


def rrdsr(*children, **attributes):
    """A Radiopharmaceutical Radiation Dose SR with the given root children."""
    return b.sr_dataset(REPORT, children, template="10021",
                        sop_class=sop.RADIOPHARMACEUTICAL_RADIATION_DOSE_SR, **attributes)


def administration(*children):
    """A Radiopharmaceutical Administration container."""
    return b.container(ADMINISTRATION, children)


def fdg_administration(activity=370, unit="MBq", uid=None, *more):
    """An FDG administration with the usual items and ``more``."""
    return administration(
        b.with_children(b.code(AGENT, FDG), [
            b.code(RADIONUCLIDE, F18, "HAS PROPERTIES"),
            b.num(HALF_LIFE, 6586.2, "s", relationship="HAS PROPERTIES"),
        ]),
        b.uid(EVENT_UID, uid),
        b.datetime_item(START, "20240315091500"),
        b.datetime_item(STOP, "20240315091630"),
        b.num(ACTIVITY, activity, unit),
        *more,
    )


def the_event(record, index=0):
    return record["radiopharmaceuticalradiationdose_set"][0][
        "radiopharmaceuticaladministrationeventdata_set"][index]


def the_characteristics(record):
    return record["radiopharmaceuticalradiationdose_set"][0][
        "radiopharmaceuticaladministrationpatientcharacteristics_set"][0]


# Corpus --------------------------------------------------------------------------------------

def _corpus_files():
    folder = conformance.CORPUS / "dicom"
    names = sorted(
        path.name for path in folder.glob("NM-*.dcm")
        if path.name.startswith(("NM-RRDSR", "NM-NmIm", "NM-PetIm"))
    )
    if not names:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no NM corpus in {folder}"))]
    return names


@pytest.mark.parametrize("name", _corpus_files())
def test_corpus_file_matches_openrem(name):
    ds = dcmread(conformance.CORPUS / "dicom" / name)
    record = extract(ds)
    expected = conformance.load_expected(name)
    result = conformance.compare_study(record, expected["studies"][0], record=True, file=name)
    print(result.report())
    assert result.compared > 60
    assert result.mismatches == []


def _corpus(name):
    path = conformance.CORPUS / "dicom" / name
    if not path.exists():
        pytest.skip(f"corpus file {name} absent")
    return dcmread(path)


def test_corpus_rrdsr_values():
    record = extract(_corpus("NM-RRDSR-Siemens.dcm"))
    event = the_event(record)
    assert record["modality_type"] == "NM"
    assert record["_meta"]["template"] == "10021"
    assert event["administered_activity"] == 394.0
    assert event["effective_dose"] == pytest.approx(7.486)
    assert event["radionuclide_half_life"] == pytest.approx(6586.2)
    assert len(event["organdose_set"]) == 22
    assert event["organdose_set"][-1]["organ_dose"] == pytest.approx(51.22)
    assert the_characteristics(record)["subject_age"] == 63.0


def test_corpus_pet_image_values():
    record = extract(_corpus("NM-PetIm-GE.dcm"))
    event = the_event(record)
    series = record["radiopharmaceuticalradiationdose_set"][0]["petseries_set"][0]
    assert event["administered_activity"] == pytest.approx(221.596288)
    assert event["radiopharmaceutical_administration_event_uid"] is None
    assert series["number_of_slices"] == 313
    assert [row["series_type"] for row in series["petseriestype_set"]] == ["STATIC", "IMAGE"]
    assert record["_meta"]["merge"] == "fill-gaps"
    assert record["_meta"]["pet_series_uid"] == series["series_uid"]


# Radiopharmaceutical dose reports --------------------------------------------------------------

def test_report_is_routed_to_the_radiopharmaceutical_extractor():
    ds = rrdsr(fdg_administration())
    assert importer_for(ds) == "rdsr"
    record = extract(ds)
    assert record["modality_type"] == "NM"
    assert record["_meta"]["importer"] == "rdsr"
    assert record["_meta"]["template"] == "10021"
    assert record["_meta"]["warnings"] == []


def test_administration_fields():
    ds = rrdsr(fdg_administration(370, "MBq", "1.2.3.4"))
    event = the_event(extract(ds))
    assert event["radiopharmaceutical_agent"].code_value == "C-B1031"
    assert event["radionuclide"].code_meaning == "^18^Fluorine"
    assert event["radionuclide_half_life"] == 6586.2
    assert event["radiopharmaceutical_administration_event_uid"] == "1.2.3.4"
    assert event["radiopharmaceutical_start_datetime"] == dt.datetime(2024, 3, 15, 9, 15)
    assert event["radiopharmaceutical_stop_datetime"] == dt.datetime(2024, 3, 15, 9, 16, 30)
    assert event["administered_activity"] == 370.0


@pytest.mark.parametrize("value, unit, mbq", [
    (0.37, "GBq", 370.0),
    (370000, "kBq", 370.0),
    (370e6, "Bq", 370.0),
    (10, "mCi", 370.0),
])
def test_activity_is_converted_to_mbq(value, unit, mbq):
    event = the_event(extract(rrdsr(fdg_administration(value, unit))))
    assert event["administered_activity"] == pytest.approx(mbq)


def test_half_life_in_minutes_is_stored_in_seconds():
    ds = rrdsr(administration(
        b.with_children(b.code(AGENT, FDG), [
            b.num(HALF_LIFE, 109.77, "min", relationship="HAS PROPERTIES")]),
        b.num(ACTIVITY, 300, "MBq"),
    ))
    assert the_event(extract(ds))["radionuclide_half_life"] == pytest.approx(6586.2)


def test_full_administration_details():
    ds = rrdsr(administration(
        b.with_children(b.code(AGENT_SRT, FDG), [
            b.code(RADIONUCLIDE, F18, "HAS PROPERTIES"),
            b.num(SPECIFIC_ACTIVITY, 1.5e17, "Bq/mol", relationship="HAS PROPERTIES"),
        ]),
        b.code(EXTRAVASATION_SYMPTOMS, ("271807003", "Swelling", "SCT")),
        b.code(EXTRAVASATION_SYMPTOMS, ("22253000", "Pain", "SCT")),
        b.num(EXTRAVASATION_ACTIVITY, 2.5, "MBq"),
        b.num(ACTIVITY, 0.25, "GBq"),
        b.num(VOLUME, 2.5, "cm3"),
        b.with_children(b.num(PRE_ACTIVITY, 260, "MBq"), [
            b.code(MEASUREMENT_DEVICE, ("113541", "Dose Calibrator"), "HAS PROPERTIES"),
            b.code(OBSERVER_TYPE, ("121006", "Person"), "HAS OBS CONTEXT"),
            b.pname(PERSON_OBSERVER_NAME, "Curie^Marie", "HAS OBS CONTEXT"),
        ]),
        b.with_children(b.num(POST_ACTIVITY, 10, "MBq"), [
            b.code(MEASUREMENT_DEVICE, ("113542", "Infusion System"), "HAS PROPERTIES"),
            b.code(OBSERVER_TYPE, ("121007", "Device"), "HAS OBS CONTEXT"),
            b.uid(DEVICE_OBSERVER_UID, "1.2.826.0.1.99", "HAS OBS CONTEXT"),
            b.text(DEVICE_OBSERVER_NAME, "CALIBRATOR2", "HAS OBS CONTEXT"),
        ]),
        b.with_children(b.code(ROUTE, INTRAVENOUS), [
            b.with_children(b.code(SITE_OF, ("49852007", "Median cubital vein", "SCT"),
                                   "HAS PROPERTIES"), [
                b.code(LATERALITY, ("7771000", "Left", "SCT"), "HAS CONCEPT MOD")]),
        ]),
        b.with_children(b.pname(PERSON_NAME, "Nurse^Ann", "HAS OBS CONTEXT"), [
            b.code(PERSON_ROLE, ("113851", "Irradiation Administering"), "HAS PROPERTIES")]),
        b.text(BRAND_NAME, "Fludeoxyglucose Injection"),
        b.with_children(b.text(DISPENSE_UNIT, "DU-17"), [
            b.text(LOT, "LOT-A", "HAS PROPERTIES"),
            b.text(LOT, "LOT-B", "HAS PROPERTIES"),
            b.text(REAGENT_VIAL, "RV-9", "HAS PROPERTIES"),
            b.text(RADIONUCLIDE_VIAL, "NV-3", "HAS PROPERTIES"),
        ]),
        b.text(PRESCRIPTION, "RX-42"),
        b.text(COMMENT, "administered through a cannula"),
        b.code(BILLING_CODE, ("A9552", "F18 FDG", "HCPCS")),
        b.code(DRUG_PRODUCT, ("0407-0001", "FDG vial", "99NDC")),
        b.num(EFFECTIVE_DOSE, 4.75, "mSv"),
    ))
    event = the_event(extract(ds))
    assert event["radiopharmaceutical_agent"].code_meaning == "Fluorodeoxyglucose F^18^"
    assert event["radiopharmaceutical_specific_activity"] == pytest.approx(150.0)  # GBq/umol
    assert [row["intravenous_extravasation_symptoms"].code_meaning
            for row in event["intravenousextravasationsymptoms_set"]] == ["Swelling", "Pain"]
    assert event["estimated_extravasation_activity"] == 2.5
    assert event["administered_activity"] == pytest.approx(250.0)
    assert event["radiopharmaceutical_volume"] == pytest.approx(2.5)
    assert event["pre_administration_measured_activity"] == 260.0
    assert event["pre_activity_measurement_device"].code_meaning == "Dose Calibrator"
    assert event["post_administration_measured_activity"] == 10.0
    assert event["post_activity_measurement_device"].code_value == "113542"
    pre, post = event["observercontext_set"]
    assert pre["radiopharmaceutical_administration_is_pre_observer"] is True
    assert pre["person_observer_name"] == "Curie^Marie"
    assert post["radiopharmaceutical_administration_is_pre_observer"] is False
    assert post["device_observer_uid"] == "1.2.826.0.1.99"
    assert post["device_observer_name"] == "CALIBRATOR2"
    assert event["route_of_administration"].code_meaning == "Intravenous route"
    assert event["site_of"].code_meaning == "Median cubital vein"
    assert event["laterality"].code_meaning == "Left"
    (person,) = event["personparticipant_set"]
    assert person["person_name"] == "Nurse^Ann"
    assert person["person_role_in_procedure_cid"].code_value == "113851"
    assert event["brand_name"] == "Fludeoxyglucose Injection"
    assert event["radiopharmaceutical_dispense_unit_identifier"] == "DU-17"
    assert [row["radiopharmaceutical_lot_identifier"]
            for row in event["radiopharmaceuticallotidentifier_set"]] == ["LOT-A", "LOT-B"]
    assert event["reagentvialidentifier_set"] == [{"reagent_vial_identifier": "RV-9"}]
    assert event["radionuclideidentifier_set"] == [{"radionuclide_identifier": "NV-3"}]
    assert event["prescription_identifier"] == "RX-42"
    assert event["comment"] == "administered through a cannula"
    assert event["billingcode_set"][0]["billing_code"].code_value == "A9552"
    assert event["drugproductidentifier_set"][0]["drug_product_identifier"].code_value == "0407-0001"
    assert event["effective_dose"] == 4.75


def test_observer_of_the_administration_itself_has_no_pre_or_post_flag():
    ds = rrdsr(fdg_administration(
        370, "MBq", None,
        b.code(OBSERVER_TYPE, ("121006", "Person"), "HAS OBS CONTEXT"),
        b.pname(PERSON_OBSERVER_NAME, "Tech^Tom", "HAS OBS CONTEXT"),
    ))
    (observer,) = the_event(extract(ds))["observercontext_set"]
    assert observer["person_observer_name"] == "Tech^Tom"
    assert observer["observer_type"].code_meaning == "Person"
    assert observer["radiopharmaceutical_administration_is_pre_observer"] is None


def test_effective_dose_in_a_vendor_container():
    ds = rrdsr(fdg_administration(
        394, "MBq", None,
        b.container(("220001", "Effective Dose Information", "99SHS"), [
            b.num(EFFECTIVE_DOSE, 7486, "uSv")]),
    ))
    assert the_event(extract(ds))["effective_dose"] == pytest.approx(7.486)


def test_organ_doses():
    ds = rrdsr(fdg_administration(
        370, "MBq", None,
        b.container(ORGAN_DOSE_INFORMATION, [
            b.code(FINDING_SITE_SRT, ("T-71000", "Kidney", "SRT"), "HAS CONCEPT MOD"),
            b.code(("G-C171", "Laterality", "SRT"), ("G-A102", "Right and left", "SRT"),
                   "HAS CONCEPT MOD"),
            b.with_children(b.num(MASS, 0.31, "kg"), [
                b.text(MEASUREMENT_METHOD, "ICRP 89 reference male", "HAS PROPERTIES")]),
            b.with_children(b.num(ORGAN_DOSE, 6.7, "mGy"), [
                b.text(REFERENCE_AUTHORITY, "ICRP Publication 128", "HAS PROPERTIES")]),
        ]),
        b.container(ORGAN_DOSE_INFORMATION, [
            b.with_children(b.code(FINDING_SITE, ("89837001", "Urinary bladder", "SCT"),
                                   "HAS CONCEPT MOD"), [
                b.code(LATERALITY, ("66459002", "Unilateral", "SCT"), "HAS CONCEPT MOD")]),
            b.with_children(b.num(ORGAN_DOSE, 0.05122, "Gy"), [
                b.code(REFERENCE_AUTHORITY, ("113835", "ICRP Pub 128"), "HAS PROPERTIES")]),
        ]),
    ))
    kidney, bladder = the_event(extract(ds))["organdose_set"]
    assert kidney["finding_site"].code_meaning == "Kidney"
    assert kidney["laterality"].code_value == "G-A102"
    assert kidney["mass"] == pytest.approx(310.0)
    assert kidney["measurement_method"] == "ICRP 89 reference male"
    assert kidney["organ_dose"] == 6.7
    assert kidney["reference_authority_text"] == "ICRP Publication 128"
    assert kidney["reference_authority_code"] is None
    assert bladder["finding_site"].code_value == "89837001"
    assert bladder["laterality"].code_meaning == "Unilateral"
    assert bladder["organ_dose"] == pytest.approx(51.22)
    assert bladder["reference_authority_code"].code_value == "113835"
    assert bladder["mass"] is None


def test_multiple_administrations_keep_their_order_and_values():
    ds = rrdsr(
        fdg_administration(370, "MBq", "1.2.3.1"),
        administration(
            b.with_children(b.code(AGENT, ("C-B1041", "Tc-99m MDP", "SRT")), [
                b.code(RADIONUCLIDE, TC99M, "HAS PROPERTIES")]),
            b.uid(EVENT_UID, "1.2.3.2"),
            b.num(ACTIVITY, 0.74, "GBq"),
        ),
    )
    record = extract(ds)
    events = record["radiopharmaceuticalradiationdose_set"][0][
        "radiopharmaceuticaladministrationeventdata_set"]
    assert [e["radiopharmaceutical_administration_event_uid"] for e in events] == [
        "1.2.3.1", "1.2.3.2"]
    assert [e["administered_activity"] for e in events] == [370.0, pytest.approx(740.0)]
    assert events[1]["radionuclide"].code_value == "C-163A8"
    assert events[1]["radionuclide_half_life"] is None


def test_report_level_items_and_device_observer():
    ds = rrdsr(
        b.code(OBSERVER_TYPE, ("121007", "Device"), "HAS OBS CONTEXT"),
        b.uid(DEVICE_OBSERVER_UID, "1.2.826.0.1.3680043.1", "HAS OBS CONTEXT"),
        b.with_children(b.code(LANGUAGE, ("en", "English", "RFC5646"), "HAS CONCEPT MOD"), [
            b.code(COUNTRY, ("GB", "United Kingdom", "ISO3166_1"), "HAS CONCEPT MOD")]),
        b.with_children(b.code(ASSOCIATED_PROCEDURE, ("44139005", "PET study", "SCT"),
                               "HAS CONCEPT MOD"), [
            b.code(HAS_INTENT, ("261004008", "Diagnostic intent", "SCT"), "HAS CONCEPT MOD")]),
        fdg_administration(),
        b.text(COMMENT, "weight estimated"),
    )
    record = extract(ds)
    dose = record["radiopharmaceuticalradiationdose_set"][0]
    assert record["_meta"]["device_observer_uid"] == "1.2.826.0.1.3680043.1"
    assert dose["associated_procedure"].code_meaning == "PET study"
    assert dose["has_intent"].code_value == "261004008"
    assert dose["comment"] == "weight estimated"
    (language,) = dose["languageofcontentitemanddescendants_set"]
    assert language["language_of_contentitem_and_descendants"].code_value == "en"
    assert language["country_of_language"].code_value == "GB"


def test_patient_characteristics_are_converted_to_stored_units():
    ds = rrdsr(fdg_administration(), b.container(PATIENT_CHARACTERISTICS, [
        b.num(SUBJECT_AGE, 18, "mo"),
        b.code(SUBJECT_SEX, ("F", "Female")),
        b.num(HEIGHT, 172, "cm"),
        b.num(WEIGHT, 68500, "g"),
        b.with_children(b.num(BSA, 1.8, "m2"), [
            b.code(BSA_FORMULA, ("122240", "BSA = 0.007184*WT^0.425*HT^0.725"),
                   "HAS CONCEPT MOD")]),
        b.with_children(b.num(BMI, 23.2, "kg/m2"), [
            b.code(EQUATION, ("122265", "BMI = Wt/Ht^2"), "HAS CONCEPT MOD")]),
        b.num(GLUCOSE, 99, "mg/dL"),
        b.num(FASTING, 360, "min"),
        b.num(HYDRATION, 500, "cm3"),
        b.text(PHYSICAL_ACTIVITY, "walked to the department"),
        b.num(CREATININE, 88.4, "umol/L"),
    ]))
    row = the_characteristics(extract(ds))
    assert row["subject_age"] == pytest.approx(1.5)
    assert row["subject_sex"].code_meaning == "Female"
    assert row["patient_height"] == pytest.approx(1.72)
    assert row["patient_weight"] == pytest.approx(68.5)
    assert row["body_surface_area"] == 1.8
    assert row["body_surface_area_formula"].code_value == "122240"
    assert row["body_mass_index"] == 23.2
    assert row["equation"].code_value == "122265"
    assert row["glucose"] == pytest.approx(5.495, abs=1e-3)
    assert row["fasting_duration"] == pytest.approx(6.0)
    assert row["hydration_volume"] == pytest.approx(500.0)
    assert row["recent_physical_activity"] == "walked to the department"
    assert row["serum_creatinine"] == pytest.approx(1.0, abs=1e-3)


def test_patient_states_and_glomerular_filtration_rates_are_rows():
    ds = rrdsr(fdg_administration(), b.container(PATIENT_CHARACTERISTICS, [
        b.code(PATIENT_STATE, ("17621005", "Normal", "SCT")),
        b.code(PATIENT_STATE, ("398164008", "Diabetic", "SCT")),
        b.with_children(b.num(GFR, 92, "mL/min/{1.73_m2}"), [
            b.code(MEASUREMENT_METHOD, ("113570", "Cockroft-Gault Formula estimation of GFR"),
                   "HAS CONCEPT MOD"),
            b.code(EQUIVALENT_MEANING, ("80274001", "Glomerular Filtration Rate Cr-51", "SCT"),
                   "HAS CONCEPT MOD"),
        ]),
        b.num(GFR, 1.5, "mL/s"),
    ]))
    row = the_characteristics(extract(ds))
    assert [s["patient_state"].code_meaning for s in row["patientstate_set"]] == [
        "Normal", "Diabetic"]
    first, second = row["glomerularfiltrationrate_set"]
    assert first["glomerular_filtration_rate"] == 92.0
    assert first["measurement_method"].code_value == "113570"
    assert first["equivalent_meaning_of_concept_name"].code_meaning == (
        "Glomerular Filtration Rate Cr-51")
    assert second["glomerular_filtration_rate"] == pytest.approx(90.0)
    assert second["measurement_method"] is None


def test_unreadable_patient_characteristic_is_dropped_with_a_warning():
    ds = rrdsr(fdg_administration(), b.container(PATIENT_CHARACTERISTICS, [
        b.num(WEIGHT, -1, "kg"),
        b.num(HEIGHT, 1.6, "m"),
    ]))
    record = extract(ds)
    row = the_characteristics(record)
    assert row["patient_weight"] is None
    assert row["patient_height"] == 1.6
    assert record["_meta"]["warnings"] == ["'Patient Weight' is negative (-1): not stored"]


def test_missing_optional_items_are_empty():
    ds = rrdsr(administration(b.num(ACTIVITY, 185, "MBq")))
    record = extract(ds)
    dose = record["radiopharmaceuticalradiationdose_set"][0]
    event = the_event(record)
    assert event["administered_activity"] == 185.0
    assert event["radiopharmaceutical_agent"] is None
    assert event["radionuclide"] is None
    assert event["radiopharmaceutical_start_datetime"] is None
    assert event["radiopharmaceutical_administration_event_uid"] is None
    assert event["organdose_set"] == [] and event["personparticipant_set"] == []
    assert dose["associated_procedure"] is None
    assert dose["radiopharmaceuticaladministrationpatientcharacteristics_set"] == []
    assert dose["petseries_set"] == []
    assert record["_meta"]["warnings"] == []


def test_report_without_administration_is_kept_with_a_warning():
    record = extract(rrdsr(b.text(COMMENT, "nothing given")))
    dose = record["radiopharmaceuticalradiationdose_set"][0]
    assert dose["radiopharmaceuticaladministrationeventdata_set"] == []
    assert record["_meta"]["warnings"] == ["the report holds no Radiopharmaceutical Administration"]


def test_agent_given_as_text():
    ds = rrdsr(administration(
        b.text(AGENT, "In-111 pentetreotide"), b.num(ACTIVITY, 200, "MBq")))
    event = the_event(extract(ds))
    assert event["radiopharmaceutical_agent"] is None
    assert event["radiopharmaceutical_agent_string"] == "In-111 pentetreotide"


def test_report_survives_a_file_round_trip(tmp_path):
    ds = b.round_trip(rrdsr(fdg_administration(0.4, "GBq", "1.2.3.9")), tmp_path / "rrdsr.dcm")
    event = the_event(extract(ds))
    assert event["administered_activity"] == pytest.approx(400.0)
    assert event["radiopharmaceutical_administration_event_uid"] == "1.2.3.9"


def _stored_but(record, field):
    """The administration read whole but for ``field``: agent, radionuclide and half life kept."""
    event = the_event(record)
    assert event[field] is None
    assert event["radiopharmaceutical_agent"].code_meaning == FDG[1]
    assert event["radionuclide_half_life"] == 6586.2
    return event


@pytest.mark.filterwarnings("ignore:Invalid value for VR DS")  # NaN is invalid on purpose
@pytest.mark.parametrize("value, problem", [("NaN", "is not a finite number (nan)"),
                                            ("-5", "is negative (-5)")])
def test_an_impossible_administered_activity_is_not_stored_and_named(value, problem):
    record = extract(rrdsr(fdg_administration(value)))
    _stored_but(record, "administered_activity")
    assert f"'Administered activity' {problem}: not stored" in record["_meta"]["warnings"]


def test_a_negative_organ_dose_is_not_stored_and_named():
    ds = rrdsr(fdg_administration(370, "MBq", None, b.container(ORGAN_DOSE_INFORMATION, [
        b.num(ORGAN_DOSE, -2, "mGy")])))
    record = extract(ds)
    event = the_event(record)
    assert event["administered_activity"] == 370.0
    assert [row["organ_dose"] for row in event["organdose_set"]] == [None]
    assert "'Organ Dose' is negative (-2): not stored" in record["_meta"]["warnings"]


def test_an_activity_in_a_unit_that_is_not_an_activity_is_not_stored_and_named():
    record = extract(rrdsr(fdg_administration(5, "mGy")))
    _stored_but(record, "administered_activity")
    assert ("'Administered activity' is in unit 'mGy', which cannot be read as MBq: not stored"
            in record["_meta"]["warnings"])


def test_an_extravasation_activity_in_percent_leaves_the_rest_of_the_report_stored():
    # Seen from a vendor: the estimated extravasation given as a share of the administered
    # activity. There is no column for a percentage, so the value is noted and not stored.
    extravasation = b.num(("113506", "Estimated Extravasation Activity"), 2.5, "%")
    record = extract(rrdsr(fdg_administration(370, "MBq", None, extravasation)))
    event = _stored_but(record, "estimated_extravasation_activity")
    assert event["administered_activity"] == 370.0
    assert ("'Estimated Extravasation Activity' is in unit '%', which cannot be read as MBq: "
            "not stored") in record["_meta"]["warnings"]


def test_an_activity_that_is_not_a_number_is_not_stored_and_named():
    item = b.num(ACTIVITY, 370, "MBq")
    # As read from a file whose Numeric Value holds text: pydicom decodes it only on access.
    item.MeasuredValueSequence[0]["NumericValue"] = RawDataElement(
        Tag(0x0040, 0xA30A), "DS", 4, b"abc ", 0, False, True)
    record = extract(rrdsr(administration(item)))
    assert the_event(record)["administered_activity"] is None
    assert ("'Administered activity' is not a number ('abc'): not stored"
            in record["_meta"]["warnings"])


def test_malformed_measured_value_is_an_extraction_error():
    item = b.num(ACTIVITY, 370, "MBq")
    del item.MeasuredValueSequence
    item.add_new(0x0040A300, "LO", "not a sequence")
    with pytest.raises(ExtractionError):
        extract(rrdsr(administration(item)))


def test_malformed_concept_name_is_an_extraction_error():
    broken = Dataset()
    broken.RelationshipType = "CONTAINS"
    broken.ValueType = "CONTAINER"
    broken.add_new(0x0040A043, "LO", "no code here")
    broken.ContentSequence = Sequence([])
    with pytest.raises(ExtractionError, match="malformed"):
        extract(rrdsr(fdg_administration(), broken))


# NM and PET images --------------------------------------------------------------------------

def information(**attributes) -> Dataset:
    """A Radiopharmaceutical Information Sequence item."""
    item = Dataset()
    for keyword, value in attributes.items():
        setattr(item, keyword, value)
    return item


def nm_image(*items, **attributes):
    ds = b.image_dataset(sop.NM_IMAGE, "NM", **attributes)
    if items:
        ds.RadiopharmaceuticalInformationSequence = Sequence(list(items))
    return ds


def pet_image(*items, **attributes):
    ds = b.image_dataset(sop.PET_IMAGE, "PT", **attributes)
    if items:
        ds.RadiopharmaceuticalInformationSequence = Sequence(list(items))
    return ds


def test_nm_image_total_dose_is_in_mbq():
    ds = nm_image(information(
        Radiopharmaceutical="HDP",
        RadionuclideTotalDose="650",
        RadionuclideCodeSequence=Sequence([b.coded(*TC99M)]),
        AdministrationRouteCodeSequence=Sequence([b.coded(*INTRAVENOUS)]),
    ))
    assert importer_for(ds) == "nm"
    record = extract(ds)
    event = the_event(record)
    assert record["modality_type"] == "NM"
    assert event["administered_activity"] == 650.0
    assert event["radiopharmaceutical_agent_string"] == "HDP"
    assert event["radionuclide"].code_value == "C-163A8"
    assert event["route_of_administration"].code_meaning == "Intravenous route"
    assert event["radiopharmaceutical_administration_event_uid"] is None
    assert record["radiopharmaceuticalradiationdose_set"][0]["petseries_set"] == []
    assert record["_meta"]["importer"] == "nm"
    assert record["_meta"]["merge"] == "fill-gaps"
    assert record["_meta"]["pet_series_uid"] is None
    assert record["_meta"]["warnings"] == []


def test_nm_image_total_dose_written_in_bq_is_recognised():
    record = extract(nm_image(information(RadionuclideTotalDose="650000000")))
    assert the_event(record)["administered_activity"] == pytest.approx(650.0)
    assert record["_meta"]["warnings"] == [
        "Radionuclide Total Dose 6.5e+08 is too large to be in MBq: read as Bq"]


def test_pet_image_total_dose_in_bq_becomes_mbq():
    ds = pet_image(information(
        Radiopharmaceutical="FDG",
        RadiopharmaceuticalCodeSequence=Sequence([b.coded(*FDG)]),
        RadionuclideCodeSequence=Sequence([b.coded(*F18)]),
        RadionuclideTotalDose="370000000",
        RadionuclideHalfLife="6586.2",
        RadiopharmaceuticalVolume="3.5",
        RadiopharmaceuticalSpecificActivity="150000000000",
        RadiopharmaceuticalStartDateTime="20240315091500",
        RadiopharmaceuticalStopDateTime="20240315091600.5",
        RadiopharmaceuticalAdministrationEventUID="1.2.3.77",
    ))
    record = extract(ds)
    event = the_event(record)
    assert event["administered_activity"] == pytest.approx(370.0)
    assert event["radiopharmaceutical_agent"].code_meaning == "Fluorodeoxyglucose F^18^"
    assert event["radionuclide_half_life"] == 6586.2
    assert event["radiopharmaceutical_volume"] == 3.5
    assert event["radiopharmaceutical_specific_activity"] == pytest.approx(150.0)
    assert event["radiopharmaceutical_start_datetime"] == dt.datetime(2024, 3, 15, 9, 15)
    assert event["radiopharmaceutical_stop_datetime"] == dt.datetime(2024, 3, 15, 9, 16, 0, 500000)
    # Not stored, so that a dose report for the study later replaces the image's event.
    assert event["radiopharmaceutical_administration_event_uid"] is None
    assert record["_meta"]["administration_event_uid"] == "1.2.3.77"


def test_start_time_without_date_is_placed_on_the_study_date():
    ds = pet_image(information(RadionuclideTotalDose="2e8", RadiopharmaceuticalStartTime="081500",
                               RadiopharmaceuticalStopTime="0817"), StudyDate="20240102")
    event = the_event(extract(ds))
    assert event["radiopharmaceutical_start_datetime"] == dt.datetime(2024, 1, 2, 8, 15)
    assert event["radiopharmaceutical_stop_datetime"] == dt.datetime(2024, 1, 2, 8, 17)


def test_pet_series_row():
    energy = Dataset()
    energy.EnergyWindowLowerLimit = "435"
    energy.EnergyWindowUpperLimit = "585"
    ds = pet_image(
        information(RadionuclideTotalDose="3.7e8"),
        SeriesDate="20240315", SeriesTime="103000.25",
        NumberOfSlices=476, NumberOfRRIntervals=8, NumberOfTimeSlots=16, NumberOfTimeSlices=4,
        ReconstructionMethod="OSEM 3i21s", CoincidenceWindowWidth="4.7",
        EnergyWindowRangeSequence=Sequence([energy]), ScanProgressionDirection="CRANIO_CAUDAL",
        SeriesType=["GATED", "IMAGE"], CorrectedImage=["DECY", "ATTN", "SCAT"],
    )
    record = extract(ds)
    (series,) = record["radiopharmaceuticalradiationdose_set"][0]["petseries_set"]
    assert series["series_uid"] == ds.SeriesInstanceUID == record["_meta"]["pet_series_uid"]
    assert series["series_datetime"] == dt.datetime(2024, 3, 15, 10, 30, 0, 250000)
    assert series["number_of_slices"] == 476
    assert series["number_of_rr_intervals"] == 8
    assert series["number_of_time_slots"] == 16
    assert series["number_of_time_slices"] == 4
    assert series["reconstruction_method"] == "OSEM 3i21s"
    assert series["coincidence_window_width"] == 4.7
    assert series["energy_window_lower_limit"] == 435.0
    assert series["energy_window_upper_limit"] == 585.0
    assert series["scan_progression_direction"] == "CRANIO_CAUDAL"
    assert series["petseriestype_set"] == [{"series_type": "GATED"}, {"series_type": "IMAGE"}]
    assert [row["corrected_image"] for row in series["petseriescorrection_set"]] == [
        "DECY", "ATTN", "SCAT"]


def test_pet_series_with_single_values_and_no_optional_attributes():
    ds = pet_image(information(RadionuclideTotalDose="3.7e8"), SeriesType="STATIC")
    (series,) = extract(ds)["radiopharmaceuticalradiationdose_set"][0]["petseries_set"]
    assert series["petseriestype_set"] == [{"series_type": "STATIC"}]
    assert series["petseriescorrection_set"] == []
    assert series["energy_window_lower_limit"] is None
    assert series["number_of_slices"] is None
    assert series["series_datetime"] is None  # no series time


def test_image_without_radiopharmaceutical_information():
    record = extract(nm_image(PatientWeight="70", PatientSize="1.8"))
    event = the_event(record)
    assert event["administered_activity"] is None
    assert event["radionuclide"] is None
    assert record["patientstudymoduleattr_set"][0]["patient_weight"] == 70.0
    assert record["patientstudymoduleattr_set"][0]["patient_size"] == 1.8
    assert record["_meta"]["warnings"] == [
        "the image has no Radiopharmaceutical Information Sequence"]


def test_image_with_several_radiopharmaceuticals_keeps_the_first():
    record = extract(nm_image(information(RadionuclideTotalDose="100"),
                              information(RadionuclideTotalDose="200")))
    assert the_event(record)["administered_activity"] == 100.0
    assert record["_meta"]["warnings"] == [
        "the image lists 2 radiopharmaceuticals; only the first is stored"]


@pytest.mark.filterwarnings("ignore:Invalid value for VR DS")  # NaN is invalid on purpose
@pytest.mark.parametrize("value, message", [
    ("NaN", "Radionuclide Total Dose is not a finite number (nan): not stored"),
    ("-370", "Radionuclide Total Dose is negative (-370): not stored"),
])
def test_an_impossible_image_total_dose_is_not_stored_and_named(value, message):
    record = extract(pet_image(information(RadionuclideTotalDose=value,
                                           RadionuclideHalfLife="6586.2")))
    event = the_event(record)
    assert event["administered_activity"] is None
    assert event["radionuclide_half_life"] == 6586.2
    assert message in record["_meta"]["warnings"]


def test_image_of_another_class_is_not_taken_by_the_nm_extractor():
    from app.extractors.nm_image import extract as extract_nm_image

    with pytest.raises(NotDoseObject):
        extract_nm_image(b.image_dataset(sop.CR_IMAGE, "CR"))


def test_malformed_image_header_is_an_extraction_error():
    item = information(RadionuclideTotalDose="100")
    item.add_new(0x00540300, "LO", "not a code sequence")  # Radionuclide Code Sequence
    with pytest.raises(ExtractionError, match="malformed"):
        extract(nm_image(item))


# Merge scenarios ------------------------------------------------------------------------------
# A reference implementation of the rules in docs/import-nm.md, applied to records, shows that
# the records carry what the importer needs to reproduce OpenREM's merged studies.

def _events(study):
    return study["radiopharmaceuticalradiationdose_set"][0][
        "radiopharmaceuticaladministrationeventdata_set"]


def _merge(study, record):
    """The study after importing ``record`` into it (None: the record starts the study)."""
    if study is None:
        return record
    dose = study["radiopharmaceuticalradiationdose_set"][0]
    new_dose = record["radiopharmaceuticalradiationdose_set"][0]
    if record["_meta"].get("merge") == "fill-gaps":
        event, new_event = _events(study)[0], _events(record)[0]
        for key, value in new_event.items():
            if not key.endswith("_set") and value not in (None, "") and event[key] in (None, ""):
                event[key] = value
        known = {series["series_uid"] for series in dose["petseries_set"]}
        dose["petseries_set"] += [s for s in new_dose["petseries_set"]
                                  if s["series_uid"] is None or s["series_uid"] not in known]
        return study
    assert all(e["radiopharmaceutical_administration_event_uid"] is None for e in _events(study))
    study["radiopharmaceuticalradiationdose_set"] = [
        dict(new_dose, petseries_set=dose["petseries_set"] + new_dose["petseries_set"])]
    return study


def _scenarios():
    folder = conformance.CORPUS / "expected" / "scenarios"
    names = sorted(path.stem for path in folder.glob("nm-*.json")
                   if "ct-rdsr" not in path.stem)  # the CT report is another extractor's
    if not names:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no NM scenarios in {folder}"))]
    return names


@pytest.mark.parametrize("scenario", _scenarios())
def test_merge_rules_reproduce_the_scenario(scenario):
    import json

    expected = json.loads(
        (conformance.CORPUS / "expected" / "scenarios" / f"{scenario}.json").read_text())
    study = None
    for name in expected["order"]:
        study = _merge(study, extract(dcmread(conformance.CORPUS / "dicom" / name)))
    # The header comes from the first object, so its documented differences apply.
    result = conformance.compare_study(study, expected["studies"][0], record=True,
                                       file=expected["order"][0])
    print(result.report())
    assert result.compared > 250
    assert result.mismatches == []
