"""Radiopharmaceutical Radiation Dose reports: PS3.16 TID 10021 and the templates it includes.

TID 10022 describes each administration (agent, radionuclide, activity, timing, route, the
people involved), TID 10023 the organ doses estimated for it and TID 10024 the patient's state
at the time. Each container is walked once, dispatching on concept codes. Concepts that moved
from SNOMED-RT (SRT) to SNOMED CT codes are recognised under both.
"""
from pydicom.sr.codedict import codes

from . import nm_units
from .common import header_record, meta
from .errors import ExtractionError, ExtractorError
from .participants import (
    DEVICE_OBSERVER_UID,
    OBSERVER_TYPE,
    observer_contexts,
    person_participants,
)
from .sr import ContentItem

# Concepts pydicom's dictionary lacks, or knows only under their SNOMED CT codes
# (PS3.16 TID 10021-10024 in the editions that used SRT codes; LOINC codes from CID 7455).
SRT = {
    "associated_procedure": "G-C2D0",
    "has_intent": "G-C0E8",
    "agent": "F-61FDB",
    "radionuclide": "C-10072",
    "half_life": "R-42806",
    "route": "G-C340",
    "site_of": "G-C581",
    "laterality": "G-C171",
    "finding_site": "G-C0E3",
    "mass": "G-D701",
    "measurement_method": "G-C036",
    "body_mass_index": "F-01860",
    "glomerular_filtration_rate": "F-70210",
}
PATIENT_HEIGHT = "8302-2"  # LN Body height
PATIENT_WEIGHT = "29463-7"  # LN Body weight
BODY_SURFACE_AREA = codes.LN.BSA.value  # 8277-6
BODY_SURFACE_AREA_FORMULA = "8278-4"  # LN
GLUCOSE = "14749-6"  # LN Glucose [Moles/volume] in Serum or Plasma
SERUM_CREATININE = "2160-0"  # LN Creatinine [Mass/volume] in Serum or Plasma
# Siemens reports the effective dose inside a private container (99SHS 220001).
EFFECTIVE_DOSE = codes.DCM.EffectiveDose.value  # 113839


def _either(sct_code, srt_key):
    return (sct_code.value, SRT[srt_key])


ASSOCIATED_PROCEDURE = _either(codes.SCT.AssociatedProcedure, "associated_procedure")
HAS_INTENT = _either(codes.SCT.HasIntent, "has_intent")
AGENT = _either(codes.SCT.Radiopharmaceuticals, "agent")
RADIONUCLIDE = _either(codes.SCT.RadioactiveIsotope, "radionuclide")
HALF_LIFE = _either(codes.SCT.HalfLifeOfRadiopharmaceutical, "half_life")
ROUTE = _either(codes.SCT.RouteOfAdministration, "route")
SITE_OF = _either(codes.SCT.SiteOf, "site_of")
LATERALITY = _either(codes.SCT.Laterality, "laterality")
FINDING_SITE = _either(codes.SCT.FindingSite, "finding_site")
MASS = (codes.SCT.MassQuantity.value, codes.SCT.Mass.value, SRT["mass"])
MEASUREMENT_METHOD = _either(codes.SCT.MeasurementMethod, "measurement_method")
BODY_MASS_INDEX = _either(codes.SCT.BodyMassIndex, "body_mass_index")
GLOMERULAR_FILTRATION_RATE = _either(codes.SCT.GlomerularFiltrationRate, "glomerular_filtration_rate")

COMMENT = codes.DCM.Comment.value
LANGUAGE = codes.DCM.LanguageOfContentItemAndDescendants.value
COUNTRY_OF_LANGUAGE = codes.DCM.CountryOfLanguage.value
ADMINISTRATION = codes.DCM.RadiopharmaceuticalAdministration.value
PATIENT_CHARACTERISTICS = codes.DCM.PatientCharacteristics.value
ORGAN_DOSE_INFORMATION = codes.DCM.OrganDoseInformation.value
ACTIVITY_MEASUREMENT_DEVICE = codes.DCM.ActivityMeasurementDevice.value
REFERENCE_AUTHORITY = codes.DCM.ReferenceAuthority.value
EQUATION = codes.DCM.Equation.value
EQUIVALENT_MEANING = codes.DCM.EquivalentMeaningOfConceptName.value

#: Stored unit of each quantity (UCUM; "a" is the year).
UNITS = {
    "activity": "MBq",
    "half_life": "s",
    "volume": "mL",
    "organ_dose": "mGy",
    "organ_mass": "g",
    "effective_dose": "mSv",
    "age": "a",
    "height": "m",
    "weight": "kg",
    "body_surface_area": "m2",
    "body_mass_index": "kg/m2",
    "glucose": "mmol/L",
    "fasting_duration": "h",
    "serum_creatinine": "mg/dL",
    "glomerular_filtration_rate": "mL/min",
    "specific_activity": "GBq/umol",
}

EVENT_FIELDS = (
    "radiopharmaceutical_agent", "radiopharmaceutical_agent_string", "radionuclide",
    "radionuclide_half_life", "radiopharmaceutical_specific_activity",
    "radiopharmaceutical_administration_event_uid", "estimated_extravasation_activity",
    "radiopharmaceutical_start_datetime", "radiopharmaceutical_stop_datetime",
    "administered_activity", "effective_dose", "radiopharmaceutical_volume",
    "pre_administration_measured_activity", "pre_activity_measurement_device",
    "post_administration_measured_activity", "post_activity_measurement_device",
    "route_of_administration", "site_of", "laterality", "brand_name",
    "radiopharmaceutical_dispense_unit_identifier", "prescription_identifier", "comment",
)
EVENT_CHILD_SETS = (
    "intravenousextravasationsymptoms_set", "billingcode_set", "drugproductidentifier_set",
    "radiopharmaceuticallotidentifier_set", "reagentvialidentifier_set",
    "radionuclideidentifier_set", "organdose_set", "observercontext_set",
    "personparticipant_set",
)
CHARACTERISTICS_FIELDS = (
    "subject_age", "subject_sex", "patient_height", "patient_weight", "body_surface_area",
    "body_surface_area_formula", "body_mass_index", "equation", "glucose", "fasting_duration",
    "hydration_volume", "recent_physical_activity", "serum_creatinine",
)


def empty_administration() -> dict:
    """An administration event row with every field empty and no child rows."""
    event = dict.fromkeys(EVENT_FIELDS)
    event.update({name: [] for name in EVENT_CHILD_SETS})
    return event


def empty_radiopharmaceutical_dose() -> dict:
    """A Radiopharmaceutical Radiation Dose row with no content."""
    return {
        "associated_procedure": None,
        "has_intent": None,
        "comment": None,
        "languageofcontentitemanddescendants_set": [],
        "radiopharmaceuticaladministrationeventdata_set": [],
        "petseries_set": [],
        "radiopharmaceuticaladministrationpatientcharacteristics_set": [],
    }


def extract_radiopharmaceutical(ds, report: ContentItem) -> dict:
    """Study record from a Radiopharmaceutical Radiation Dose SR (TID 10021)."""
    # Odd values anywhere in the content tree are noted in the report's own list.
    warnings = report.warnings
    try:
        record = header_record(ds, warnings)
        record["modality_type"] = "NM"
        dose, observers = radiopharmaceutical_dose(report, warnings)
    except ExtractorError:
        raise
    except Exception as exc:  # any other failure means a content tree Kerma cannot read
        raise ExtractionError(
            f"the radiopharmaceutical dose report is malformed ({type(exc).__name__}: {exc})"
        ) from exc
    record["radiopharmaceuticalradiationdose_set"] = [dose]
    device_uid = next(
        (o.get("device_observer_uid") for o in observers if o.get("device_observer_uid")), None
    )
    record["_meta"] = meta(
        ds, "rdsr", warnings, template="10021", device_observer_uid=device_uid
    )
    return record


def radiopharmaceutical_dose(report: ContentItem, warnings: list) -> tuple[dict, list]:
    """The TID 10021 root: the dose row and the report's own observer contexts."""
    dose = empty_radiopharmaceutical_dose()
    for item in report.children:
        concept = item.code_value
        if concept in ASSOCIATED_PROCEDURE:
            dose["associated_procedure"] = item.code()
            intent = _first_of(item.children, HAS_INTENT)
            if intent is not None:
                dose["has_intent"] = intent.code()
        elif concept in HAS_INTENT and dose["has_intent"] is None:
            dose["has_intent"] = item.code()
        elif concept == COMMENT:
            dose["comment"] = item.text()
        elif concept == LANGUAGE:
            dose["languageofcontentitemanddescendants_set"].append({
                "language_of_contentitem_and_descendants": item.code(),
                "country_of_language": item.children.code(COUNTRY_OF_LANGUAGE),
            })
        elif concept == ADMINISTRATION:
            dose["radiopharmaceuticaladministrationeventdata_set"].append(
                administration(item, warnings)
            )
        elif concept == PATIENT_CHARACTERISTICS:
            dose["radiopharmaceuticaladministrationpatientcharacteristics_set"].append(
                patient_characteristics(item, warnings)
            )
    if not dose["radiopharmaceuticaladministrationeventdata_set"]:
        warnings.append("the report holds no Radiopharmaceutical Administration")
    observers = observer_contexts(report.children) if OBSERVER_TYPE in report.children else []
    if not observers and DEVICE_OBSERVER_UID in report.children:
        observers = [{"device_observer_uid": report.children.uid(DEVICE_OBSERVER_UID)}]
    return dose, observers


# TID 10022 Radiopharmaceutical Administration Event Data -------------------------------------

def administration(container: ContentItem, warnings: list) -> dict:
    """One administration event (TID 10022) with its organ doses and participants."""
    event = empty_administration()
    children = container.children
    for item in children:
        handler = _EVENT_ITEMS.get(item.code_value)
        if handler is not None:
            handler(item, event, warnings)
        elif item.value_type == "CONTAINER" and event["effective_dose"] is None:
            # Vendors wrap the effective dose in a container of their own.
            found = item.children.first(EFFECTIVE_DOSE)
            if found is not None:
                event["effective_dose"] = dose_quantity(found, UNITS["effective_dose"])
    event["observercontext_set"] = [
        dict(observer, radiopharmaceutical_administration_is_pre_observer=None)
        for observer in observer_contexts(children)
    ] + event["observercontext_set"]
    event["personparticipant_set"] = person_participants(children)
    return event


def _agent(item, event, warnings):
    if item.value_type == "TEXT":
        event["radiopharmaceutical_agent_string"] = item.text()
        return
    event["radiopharmaceutical_agent"] = item.code()
    for child in item.children:
        handler = _AGENT_PROPERTIES.get(child.code_value)
        if handler is not None:
            handler(child, event, warnings)


def _setter(field, read):
    def handler(item, event, warnings):
        if event[field] is None:
            event[field] = read(item, warnings)
    return handler


def _row(set_name, field, read):
    def handler(item, event, warnings):
        value = read(item, warnings)
        if value is not None:
            event[set_name].append({field: value})
    return handler


def _measured_activity(when):
    pre = when == "pre"

    def handler(item, event, warnings):
        event[f"{when}_administration_measured_activity"] = dose_quantity(item, UNITS["activity"])
        below = item.children
        event[f"{when}_activity_measurement_device"] = below.code(ACTIVITY_MEASUREMENT_DEVICE)
        event["observercontext_set"] += [
            dict(observer, radiopharmaceutical_administration_is_pre_observer=pre)
            for observer in observer_contexts(below)
        ]
    return handler


def _route(item, event, warnings):
    event["route_of_administration"] = item.code()
    for child in item.children:
        if child.code_value in SITE_OF:
            event["site_of"] = child.code()
            laterality = _first_of(child.children, LATERALITY)
            if laterality is not None:
                event["laterality"] = laterality.code()
        elif child.code_value in LATERALITY and event["laterality"] is None:
            event["laterality"] = child.code()


def _dispense_unit(item, event, warnings):
    event["radiopharmaceutical_dispense_unit_identifier"] = item.text()
    # The lot, reagent vial and radionuclide vial identifiers are properties of the unit.
    for child in item.children:
        handler = _IDENTIFIERS.get(child.code_value)
        if handler is not None:
            handler(child, event, warnings)


def _code(item, warnings):
    return item.code()


def _text(item, warnings):
    return item.text()


def _datetime(item, warnings):
    return item.datetime()


def _uid(item, warnings):
    return item.uid()


def _dose(unit):
    return lambda item, warnings: dose_quantity(item, unit)


def _specific_activity(item, warnings):
    return nm_units.specific_activity(item, warnings)


_IDENTIFIERS = {
    codes.DCM.RadiopharmaceuticalLotIdentifier.value: _row(
        "radiopharmaceuticallotidentifier_set", "radiopharmaceutical_lot_identifier", _text),
    codes.DCM.ReagentVialIdentifier.value: _row(
        "reagentvialidentifier_set", "reagent_vial_identifier", _text),
    codes.DCM.RadionuclideVialIdentifier.value: _row(
        "radionuclideidentifier_set", "radionuclide_identifier", _text),
}

_AGENT_PROPERTIES = {
    **dict.fromkeys(RADIONUCLIDE, _setter("radionuclide", _code)),
    **dict.fromkeys(HALF_LIFE, _setter("radionuclide_half_life", _dose(UNITS["half_life"]))),
    codes.DCM.RadiopharmaceuticalSpecificActivity.value: _setter(
        "radiopharmaceutical_specific_activity", _specific_activity),
}

_EVENT_ITEMS = {
    **dict.fromkeys(AGENT, _agent),
    **_AGENT_PROPERTIES,  # some reports put them beside the agent rather than below it
    **_IDENTIFIERS,  # and the identifiers beside the dispense unit
    codes.DCM.RadiopharmaceuticalAdministrationEventUID.value: _setter(
        "radiopharmaceutical_administration_event_uid", _uid),
    codes.DCM.IntravenousExtravasationSymptoms.value: _row(
        "intravenousextravasationsymptoms_set", "intravenous_extravasation_symptoms", _code),
    codes.DCM.EstimatedExtravasationActivity.value: _setter(
        "estimated_extravasation_activity", _dose(UNITS["activity"])),
    codes.DCM.RadiopharmaceuticalStartDatetime.value: _setter(
        "radiopharmaceutical_start_datetime", _datetime),
    codes.DCM.RadiopharmaceuticalStopDatetime.value: _setter(
        "radiopharmaceutical_stop_datetime", _datetime),
    codes.DCM.AdministeredActivity.value: _setter(
        "administered_activity", _dose(UNITS["activity"])),
    EFFECTIVE_DOSE: _setter("effective_dose", _dose(UNITS["effective_dose"])),
    codes.DCM.RadiopharmaceuticalVolume.value: _setter(
        "radiopharmaceutical_volume", _dose(UNITS["volume"])),
    codes.DCM.PreAdministrationMeasuredActivity.value: _measured_activity("pre"),
    codes.DCM.PostAdministrationMeasuredActivity.value: _measured_activity("post"),
    **dict.fromkeys(ROUTE, _route),
    codes.DCM.BrandName.value: _setter("brand_name", _text),
    codes.DCM.RadiopharmaceuticalDispenseUnitIdentifier.value: _dispense_unit,
    codes.DCM.PrescriptionIdentifier.value: _setter("prescription_identifier", _text),
    COMMENT: _setter("comment", _text),
    codes.DCM.BillingCode.value: _row("billingcode_set", "billing_code", _code),
    codes.DCM.DrugProductIdentifier.value: _row(
        "drugproductidentifier_set", "drug_product_identifier", _code),
    ORGAN_DOSE_INFORMATION: lambda item, event, warnings: event["organdose_set"].append(
        organ_dose(item, warnings)),
}


# TID 10023 Organ Dose ----------------------------------------------------------------------

def organ_dose(container: ContentItem, warnings: list) -> dict:
    """One organ's dose estimate (TID 10023)."""
    row = {
        "finding_site": None, "laterality": None, "mass": None, "measurement_method": None,
        "organ_dose": None, "reference_authority_code": None, "reference_authority_text": None,
        "type_of_detector_motion": None,
    }
    for item in container.children:
        concept = item.code_value
        if concept in FINDING_SITE:
            row["finding_site"] = item.code()
            laterality = _first_of(item.children, LATERALITY)
            if laterality is not None:
                row["laterality"] = laterality.code()
        elif concept in LATERALITY:
            row["laterality"] = item.code()
        elif concept in MASS:
            row["mass"] = dose_quantity(item, UNITS["organ_mass"])
            method = _first_of(item.children, MEASUREMENT_METHOD)
            if method is not None:
                row["measurement_method"] = _text_or_meaning(method)
        elif concept in MEASUREMENT_METHOD:
            row["measurement_method"] = _text_or_meaning(item)
        elif concept == codes.DCM.OrganDose.value:
            row["organ_dose"] = dose_quantity(item, UNITS["organ_dose"])
            for authority in item.children.all(REFERENCE_AUTHORITY):
                if authority.value_type == "CODE":
                    row["reference_authority_code"] = authority.code()
                else:
                    row["reference_authority_text"] = authority.text()
    return row


# TID 10024 Radiopharmaceutical Administration Patient Characteristics ----------------------

def patient_characteristics(container: ContentItem, warnings: list) -> dict:
    """The patient's characteristics at administration (TID 10024)."""
    row = dict.fromkeys(CHARACTERISTICS_FIELDS)
    row["patientstate_set"] = []
    row["glomerularfiltrationrate_set"] = []
    for item in container.children:
        concept = item.code_value
        if concept in _CHARACTERISTIC_QUANTITIES:
            field, unit = _CHARACTERISTIC_QUANTITIES[concept]
            row[field] = patient_quantity(item, unit, warnings)
            if concept == BODY_SURFACE_AREA:
                row["body_surface_area_formula"] = item.children.code(BODY_SURFACE_AREA_FORMULA)
            elif concept in BODY_MASS_INDEX:
                row["equation"] = item.children.code(EQUATION)
        elif concept == codes.DCM.SubjectSex.value:
            row["subject_sex"] = item.code()
        elif concept == codes.DCM.RecentPhysicalActivity.value:
            row["recent_physical_activity"] = item.text()
        elif concept == codes.DCM.PatientState.value:
            state = item.code()
            if state is not None:
                row["patientstate_set"].append({"patient_state": state})
        elif concept in GLOMERULAR_FILTRATION_RATE:
            below = item.children
            method = _first_of(below, MEASUREMENT_METHOD)
            row["glomerularfiltrationrate_set"].append({
                "glomerular_filtration_rate": patient_quantity(
                    item, UNITS["glomerular_filtration_rate"], warnings),
                "measurement_method": method.code() if method is not None else None,
                "equivalent_meaning_of_concept_name": below.code(EQUIVALENT_MEANING),
            })
    return row


_CHARACTERISTIC_QUANTITIES = {
    codes.DCM.SubjectAge.value: ("subject_age", UNITS["age"]),
    PATIENT_HEIGHT: ("patient_height", UNITS["height"]),
    PATIENT_WEIGHT: ("patient_weight", UNITS["weight"]),
    BODY_SURFACE_AREA: ("body_surface_area", UNITS["body_surface_area"]),
    **dict.fromkeys(BODY_MASS_INDEX, ("body_mass_index", UNITS["body_mass_index"])),
    GLUCOSE: ("glucose", UNITS["glucose"]),
    codes.DCM.FastingDuration.value: ("fasting_duration", UNITS["fasting_duration"]),
    codes.DCM.HydrationVolume.value: ("hydration_volume", UNITS["volume"]),
    SERUM_CREATININE: ("serum_creatinine", UNITS["serum_creatinine"]),
}


# Values ------------------------------------------------------------------------------------

def dose_quantity(item: ContentItem, unit: str) -> float | None:
    """A dose-relevant number in the stored unit; an unreadable one is noted and not stored."""
    return nm_units.measured(item, unit)


def patient_quantity(item: ContentItem, unit: str, warnings: list) -> float | None:
    """A patient characteristic in the stored unit; an unreadable one is noted and not stored."""
    return nm_units.measured(item, unit)


def _first_of(children, concepts) -> ContentItem | None:
    for concept in concepts:
        found = children.first(concept)
        if found is not None:
            return found
    return None


def _text_or_meaning(item: ContentItem) -> str | None:
    if item.value_type == "CODE":
        code = item.code()
        return (code.code_meaning or code.code_value) if code else None
    return item.text()
