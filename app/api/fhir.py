"""A study's dose summary as HL7 FHIR R4 resources, after the Radiation Dose Summary for
Diagnostic Procedures implementation guide (HL7 / IHE REM; ``hl7.fhir.uv.radiation-dose-summary``
1.0.0, profiles RadiationDoseSummary, IrradiationEventSummary with CT Irradiation Event
Summary, and Modality Device).

The answer is a ``collection`` Bundle: the Patient, the ImagingStudy, the Device, one
Radiation Dose Summary Observation per dose report of the study (a CT, projection X-ray or
radiopharmaceutical report, or what image headers gave) and, for CT, one Irradiation Event
Summary Observation per irradiation event, which the summary lists in ``hasMember``.
Resources refer to each other by ``urn:uuid:`` full URLs, derived from the study's stored
ids so that the same study gives the same Bundle. Values are in the stored units, written as
UCUM; docs/api.md lists what comes from where and what the guide asks for that Kerma does
not know.
"""
import datetime
import uuid

IG = "http://hl7.org/fhir/uv/radiation-dose-summary"
PROFILE_SUMMARY = f"{IG}/StructureDefinition/radiation-dose-summary"
PROFILE_CT_EVENT = f"{IG}/StructureDefinition/ct-irradiation-event-summary"
PROFILE_DEVICE = f"{IG}/StructureDefinition/modality-device"
IDENTIFIER_TYPES = f"{IG}/CodeSystem/dicom-identifier-type"
HL7_IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"

LOINC = "http://loinc.org"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
SCT = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
#: FHIR system URIs of coding schemes (PS3.16 Table 8-1), by DICOM designator.
SYSTEMS = {"DCM": DCM, "SCT": SCT, "SRT": "http://snomed.info/srt", "LN": LOINC,
           "UCUM": UCUM, "RADLEX": "http://radlex.org", "RXNORM": "http://www.nlm.nih.gov/research/umls/rxnorm"}

DOSE_SUMMARY_CODE = (LOINC, "73569-6", "Radiation exposure and protection information "
                                       "[Description] Document Diagnostic imaging")
IRRADIATION_EVENT_CODE = (DCM, "113852", "Irradiation Event")

# Component codes (the guide's ComponentRadiationDoseSummaryVS and the CT event profile;
# concept names as PS3.16 gives them).
PROCEDURE_REPORTED = (DCM, "121058", "Procedure reported")
CT_DLP_TOTAL = (DCM, "113813", "CT Dose Length Product Total")
DOSE_RP_TOTAL = (DCM, "113725", "Dose (RP) Total")
AGD_ACCUMULATED = (DCM, "111637", "Accumulated Average Glandular Dose")
DAP_TOTAL = (DCM, "113722", "Dose Area Product Total")
FLUORO_DAP_TOTAL = (DCM, "113726", "Fluoro Dose Area Product Total")
ACQUISITION_DAP_TOTAL = (DCM, "113727", "Acquisition Dose Area Product Total")
FLUORO_TIME_TOTAL = (DCM, "113730", "Total Fluoro Time")
RADIOGRAPHIC_FRAMES = (DCM, "113731", "Total Number of Radiographic Frames")
ADMINISTERED_ACTIVITY = (DCM, "113507", "Administered activity")
RADIOPHARMACEUTICAL = (SCT, "349358000", "Radiopharmaceuticals")
RADIOISOTOPE = (SCT, "89457008", "Radioisotope")
RADIOPHARMACEUTICAL_VOLUME = (DCM, "123005", "Radiopharmaceutical Volume")
ROUTE = (SCT, "410675002", "Route of administration")
MEAN_CTDIVOL = (DCM, "113830", "Mean CTDIvol")
DLP = (DCM, "113838", "DLP")
CTDI_PHANTOM = (DCM, "113835", "CTDIw Phantom Type")
IRRADIATION_AUTHORIZING = "113850"

#: Procedure reported, from the guide's ProcedureReportedTypeVS, by modality page.
PROCEDURE_TYPES = {
    "ct": (SCT, "77477000", "Computerized tomography"),
    "rf": (DCM, "113704", "Projection X-Ray"),
    "dx": (DCM, "113704", "Projection X-Ray"),
    "mg": (SCT, "71651007", "Mammography"),
    "nm": (DCM, "113502", "Radiopharmaceutical Administration"),
}
#: DICOM modality (CID 29/33) of the ImagingStudy and Device, by modality page.
MODALITY_CODES = {"ct": "CT", "rf": "RF", "dx": "DX", "mg": "MG", "nm": "NM"}
GENDERS = {"M": "male", "F": "female", "O": "other"}


def _uuid(*parts) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "kerma:" + ":".join(map(str, parts))))


def _concept(system, code, display) -> dict:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def _stored_code(code) -> dict | None:
    """A stored code (ContextID) as a CodeableConcept; the meaning as text when the scheme
    has no FHIR system."""
    if code is None:
        return None
    coding = {"code": code.code_value}
    system = SYSTEMS.get((code.coding_scheme_designator or "").upper())
    if system:
        coding["system"] = system
    if code.code_meaning:
        coding["display"] = code.code_meaning
    concept = {"coding": [coding]}
    if code.code_meaning:
        concept["text"] = code.code_meaning
    return concept


def _quantity(value, unit) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _component(concept, value, unit=None, text=None) -> dict | None:
    """A component with a Quantity (``unit`` given), an integer, or a CodeableConcept."""
    if value is None:
        return None
    code = _concept(*concept)
    if text:
        code["text"] = text
    if unit is not None:
        return {"code": code, "valueQuantity": _quantity(value, unit)}
    if isinstance(value, int):
        return {"code": code, "valueInteger": value}
    return {"code": code, "valueCodeableConcept": value}


def _dicom_uid(value) -> str:
    return f"urn:oid:{value}"


def _datetime(value) -> str | None:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return None


def _study_datetime(study) -> str | None:
    if study.study_date is None:
        return None
    if study.study_time is None:
        return study.study_date.isoformat()
    return datetime.datetime.combine(study.study_date, study.study_time).isoformat()


def _first(rows):
    return rows[0] if rows else None


def _modality_key(study) -> str:
    from ..modalities import config_for_modality_type

    config = config_for_modality_type(study.modality_type)
    return config.key if config is not None else "ct"


def dose_summary_bundle(study, pid: bool, base_url: str = "") -> dict:
    """The study's FHIR Bundle; patient identifiers only when ``pid``."""
    key = _modality_key(study)
    refs = {"patient": _uuid("patient", study.id), "study": _uuid("study", study.id),
            "device": _uuid("device", study.id)}
    entries = [_patient(study, refs["patient"], pid), _imaging_study(study, key, refs),
               _device(study, key, refs["device"])]
    for report, summary_ref, events in _reports(study, key):
        members = []
        for event in events:
            event_ref = _uuid("ct-event", event.id)
            members.append(event_ref)
            entries.append(_ct_event(study, event, event_ref, refs))
        entries.append(_summary(study, key, report, summary_ref, members, refs))
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kerma:bundle:{study.id}")),
        "type": "collection",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "entry": [{"fullUrl": full_url, "resource": resource} for full_url, resource in entries],
    }
    if base_url:
        bundle["link"] = [{"relation": "self",
                           "url": f"{base_url}/api/v1/studies/{study.id}/fhir"}]
    return bundle


def _reports(study, key):
    """(dose report root, its summary's full URL, its CT events) for each report."""
    for report in study.ctradiationdose_set:
        yield report, _uuid("summary-ct", report.id), list(report.ctirradiationeventdata_set)
    for report in study.projectionxrayradiationdose_set:
        yield report, _uuid("summary-projection", report.id), []
    for report in study.radiopharmaceuticalradiationdose_set:
        yield report, _uuid("summary-nm", report.id), []


def _patient(study, full_url, pid):
    patient = _first(study.patientmoduleattr_set)
    resource = {"resourceType": "Patient", "id": full_url.rsplit(":", 1)[1]}
    if patient is not None:
        resource["gender"] = GENDERS.get((patient.patient_sex or "").upper(), "unknown")
        if pid:
            if patient.patient_id and not patient.id_hashed:
                resource["identifier"] = [{"value": patient.patient_id}]
            if patient.patient_name and not patient.name_hashed:
                family, _, given = patient.patient_name.partition("^")
                name = {"text": patient.patient_name.replace("^", " ").strip()}
                if family:
                    name["family"] = family
                if given:
                    name["given"] = [part for part in given.split("^") if part][:1]
                resource["name"] = [name]
            if patient.patient_birth_date:
                resource["birthDate"] = patient.patient_birth_date.isoformat()
    return full_url, resource


def _imaging_study(study, key, refs):
    resource = {
        "resourceType": "ImagingStudy",
        "id": refs["study"].rsplit(":", 1)[1],
        "status": "available",
        "subject": {"reference": refs["patient"]},
        "modality": [{"system": DCM, "code": MODALITY_CODES[key]}],
    }
    if study.study_instance_uid:
        resource["identifier"] = [_study_identifier(study)]
    if started := _study_datetime(study):
        resource["started"] = started
    if study.study_description:
        resource["description"] = study.study_description
    return refs["study"], resource


def _study_identifier(study):
    return {"type": _concept(IDENTIFIER_TYPES, "study-instance-uid", "Study Instance UID"),
            "system": "urn:dicom:uid", "value": _dicom_uid(study.study_instance_uid)}


def _device(study, key, full_url):
    equipment = _first(study.generalequipmentmoduleattr_set)
    identity = equipment.unique_equipment_name if equipment is not None else None
    resource = {"resourceType": "Device", "id": full_url.rsplit(":", 1)[1],
                "meta": {"profile": [PROFILE_DEVICE]},
                "type": _concept(DCM, MODALITY_CODES[key], MODALITY_CODES[key])}
    if equipment is not None:
        identifiers = []
        if equipment.device_serial_number:
            identifiers.append({"system": "device-serial-number",
                                "value": equipment.device_serial_number})
            resource["serialNumber"] = equipment.device_serial_number
        if identity is not None and identity.device_observer_uid:
            identifiers.append({"system": "device-uid",
                                "value": _dicom_uid(identity.device_observer_uid)})
        if identifiers:
            resource["identifier"] = identifiers
        if equipment.manufacturer:
            resource["manufacturer"] = equipment.manufacturer
        names = []
        if equipment.manufacturer:
            names.append({"name": equipment.manufacturer, "type": "manufacturer-name"})
        if equipment.manufacturer_model_name:
            names.append({"name": equipment.manufacturer_model_name, "type": "model-name"})
            resource["modelNumber"] = equipment.manufacturer_model_name
        if identity is not None and identity.display_name:
            names.append({"name": identity.display_name, "type": "user-friendly-name"})
        if names:
            resource["deviceName"] = names
        if equipment.software_versions:
            resource["version"] = [{"value": equipment.software_versions}]
    return full_url, resource


def _authorizing_person(report):
    """The irradiation authorizing person of the report (TID 1020 with role 113850)."""
    for person in getattr(report, "personparticipant_set", ()):
        role = person.person_role_in_procedure_cid
        if role is not None and role.code_value == IRRADIATION_AUTHORIZING and person.person_name:
            return person.person_name.replace("^", " ").strip()
    return None


def _summary(study, key, report, full_url, members, refs):
    components = [_component(PROCEDURE_REPORTED, _concept(*PROCEDURE_TYPES[key]))]
    components += _dose_components(key, report)
    components = [c for c in components if c is not None]
    authorizing = _authorizing_person(report)
    performer = ({"type": "Practitioner", "display": authorizing} if authorizing else
                 # The guide asks for the person; Kerma was not told who it was.
                 {"type": "Practitioner",
                  "extension": [{"url": DATA_ABSENT, "valueCode": "unknown"}]})
    study_ref = {"reference": refs["study"], "type": "ImagingStudy"}
    if study.study_instance_uid:
        study_ref["identifier"] = _study_identifier(study)
    resource = {
        "resourceType": "Observation",
        "id": full_url.rsplit(":", 1)[1],
        "meta": {"profile": [PROFILE_SUMMARY]},
        "status": "final",
        "category": [_concept("http://terminology.hl7.org/CodeSystem/observation-category",
                              "imaging", "Imaging")],
        "code": _concept(*DOSE_SUMMARY_CODE),
        "subject": {"reference": refs["patient"], "type": "Patient"},
        "focus": [{"reference": refs["study"], "type": "ImagingStudy"}],
        "partOf": [study_ref],
        "effectiveDateTime": _irradiation_start(study, report) or _study_datetime(study),
        "performer": [performer],
        "valueString": _summary_text(key, components),
        "device": {"reference": refs["device"], "type": "Device"},
        "component": components,
    }
    sop_uids = [row.sop_instance_uid for row in study.objectuidsprocessed_set
                if row.sop_instance_uid]
    if sop_uids:
        resource["identifier"] = [
            {"type": _concept(IDENTIFIER_TYPES, "sop-instance-uid", "SOP Instance UID"),
             "system": "urn:dicom:uid", "value": _dicom_uid(uid)} for uid in sop_uids]
    if study.accession_number and not study.accession_hashed:
        resource["basedOn"] = [{"type": "ServiceRequest", "identifier": {
            "type": _concept(HL7_IDENTIFIER_TYPES, "ACSN", "Accession ID"),
            "value": study.accession_number}}]
    if members:
        resource["hasMember"] = [{"reference": member, "type": "Observation"}
                                 for member in members]
    if resource["effectiveDateTime"] is None:
        del resource["effectiveDateTime"]
    return full_url, resource


def _irradiation_start(study, report):
    start = _datetime(getattr(report, "start_of_xray_irradiation", None))
    if start:
        return start
    times = [event.date_time_started for event in getattr(report, "irradeventxraydata_set", ())
             if event.date_time_started]
    times += [event.radiopharmaceutical_start_datetime for event in
              getattr(report, "radiopharmaceuticaladministrationeventdata_set", ())
              if event.radiopharmaceutical_start_datetime]
    return _datetime(min(times)) if times else None


def _dose_components(key, report):
    """The study-level dose values of one report."""
    if key == "ct":
        return [_component(CT_DLP_TOTAL, accumulated.ct_dose_length_product_total, "mGy.cm")
                for accumulated in report.ctaccumulateddosedata_set]
    if key == "nm":
        components = []
        for event in report.radiopharmaceuticaladministrationeventdata_set:
            agent = _stored_code(event.radiopharmaceutical_agent)
            if agent is None and event.radiopharmaceutical_agent_string:
                agent = {"text": event.radiopharmaceutical_agent_string}
            components += [
                _component(RADIOPHARMACEUTICAL, agent),
                _component(RADIOISOTOPE, _stored_code(event.radionuclide)),
                _component(ADMINISTERED_ACTIVITY, event.administered_activity, "MBq"),
                _component(RADIOPHARMACEUTICAL_VOLUME, event.radiopharmaceutical_volume, "cm3"),
                _component(ROUTE, _stored_code(event.route_of_administration)),
            ]
        return components
    components = []
    for plane in report.accumxraydose_set:
        label = plane.acquisition_plane.code_meaning if plane.acquisition_plane else None
        for totals in plane.accumprojxraydose_set:
            components += [
                _component(DAP_TOTAL, totals.dose_area_product_total, "Gy.m2", label),
                _component(FLUORO_DAP_TOTAL, totals.fluoro_dose_area_product_total, "Gy.m2",
                           label),
                _component(ACQUISITION_DAP_TOTAL, totals.acquisition_dose_area_product_total,
                           "Gy.m2", label),
                _component(DOSE_RP_TOTAL, totals.dose_rp_total, "Gy", label),
                _component(FLUORO_TIME_TOTAL, totals.total_fluoro_time, "s", label),
                _component(RADIOGRAPHIC_FRAMES, totals.total_number_of_radiographic_frames,
                           text=label),
            ]
        for totals in plane.accumintegratedprojradiogdose_set:
            components += [
                _component(DAP_TOTAL, totals.dose_area_product_total, "Gy.m2", label),
                _component(DOSE_RP_TOTAL, totals.dose_rp_total, "Gy", label),
                _component(RADIOGRAPHIC_FRAMES, totals.total_number_of_radiographic_frames,
                           text=label),
            ]
        for breast in plane.accummammographyxraydose_set:
            side = breast.laterality.code_meaning if breast.laterality else None
            components.append(_component(AGD_ACCUMULATED,
                                         breast.accumulated_average_glandular_dose, "mGy", side))
    return components


def _summary_text(key, components) -> str:
    """The dose summary as one line for people: each dose value with its unit."""
    parts = []
    for component in components:
        quantity = component.get("valueQuantity")
        if quantity is None:
            continue
        coding = component["code"]["coding"][0]
        label = coding["display"]
        if component["code"].get("text"):
            label += f" ({component['code']['text']})"
        parts.append(f"{label} {quantity['value']:g} {quantity['unit']}")
    procedure = PROCEDURE_TYPES[key][2]
    return f"{procedure}: " + ("; ".join(parts) if parts else "no dose values recorded") + "."


def _ct_event(study, event, full_url, refs):
    body_site = _stored_code(event.target_region)
    resource = {
        "resourceType": "Observation",
        "id": full_url.rsplit(":", 1)[1],
        "meta": {"profile": [PROFILE_CT_EVENT]},
        "status": "final",
        "code": _concept(*IRRADIATION_EVENT_CODE),
        "subject": {"reference": refs["patient"], "type": "Patient"},
        "partOf": [{"reference": refs["study"], "type": "ImagingStudy"}],
        "effectiveDateTime": _datetime(event.date_time_started) or _study_datetime(study),
        # The profile asks for the target region; an event without one says it is unknown.
        "bodySite": body_site or {"extension": [{"url": DATA_ABSENT, "valueCode": "unknown"}]},
        "device": {"reference": refs["device"], "type": "Device"},
        "component": [c for c in (
            _component(MEAN_CTDIVOL, event.mean_ctdivol, "mGy"),
            _component(DLP, event.dlp, "mGy.cm"),
            _component(CTDI_PHANTOM, _stored_code(event.ctdiw_phantom_type)),
        ) if c is not None],
    }
    if event.irradiation_event_uid:
        resource["identifier"] = [{"system": "irradiation-event-uid",
                                   "value": _dicom_uid(event.irradiation_event_uid)}]
    if event.acquisition_protocol:
        resource["note"] = [{"text": f"Acquisition protocol: {event.acquisition_protocol}"}]
    if resource["effectiveDateTime"] is None:
        del resource["effectiveDateTime"]
    return full_url, resource
