"""The DICOM modules every dose object carries: study, patient, patient study, equipment.

Each function reads a pydicom Dataset and returns the fields of one record level. Extractors
for particular object kinds call these and then add or override what their source differs in.
"""
import datetime as dt
import functools
import re

from pydicom.tag import BaseTag, Tag

from .errors import ExtractionError
from .sr import code_of
from .values import combine, finite_or_none, parse_date, parse_time, single, text_of

#: Study date stored when an object carries none at all, as OpenREM does, so it sorts last.
MISSING_STUDY_DATE = dt.date(1900, 1, 1)

_AGE = re.compile(r"\s*(\d{1,3})\s*([DWMY])\s*", re.IGNORECASE)
_DAYS_PER_YEAR = 365.25


def attr(ds, keyword):
    """An attribute's value by keyword, or None; never raises for malformed values."""
    tag = _tag(keyword)
    if tag not in ds:
        return None
    try:
        return ds[tag].value
    except Exception:  # pydicom raises assorted errors for undecodable raw values
        return None


@functools.cache
def _tag(keyword: str) -> BaseTag:
    """The tag of a dictionary keyword (pydicom's look-up, once per keyword: extractors read
    the same few dozen attributes of every object)."""
    return Tag(keyword)


def text(ds, keyword) -> str | None:
    """A string attribute as ``str`` (multi-values joined), empty as None."""
    return text_of(attr(ds, keyword))


def number(ds, keyword) -> float | None:
    """A numeric attribute (DS, IS, US, FD...) as a finite float, or None."""
    value = single(attr(ds, keyword))
    if value is None or value == "":
        return None
    try:
        return finite_or_none(float(value))
    except (TypeError, ValueError):
        try:
            return finite_or_none(float(str(value).strip().replace(",", ".")))
        except ValueError:
            return None


def first_code(ds, keyword):
    """The first code of a code sequence attribute, or None."""
    seq = attr(ds, keyword)
    if not seq:
        return None
    try:
        return code_of(seq[0])
    except (TypeError, IndexError):
        return None


def study_module(ds, warnings: list) -> dict:
    """General Study fields, with the study date and time fallbacks OpenREM uses."""
    study_uid = text(ds, "StudyInstanceUID")
    if not study_uid:
        raise ExtractionError("it has no Study Instance UID")
    study_date = (
        parse_date(attr(ds, "StudyDate"))
        or parse_date(attr(ds, "ContentDate"))
        or parse_date(attr(ds, "SeriesDate"))
    )
    if study_date is None:
        warnings.append("no study, content or series date: stored as 1900-01-01")
        study_date = MISSING_STUDY_DATE
    study_time = (
        parse_time(attr(ds, "StudyTime"))
        or parse_time(attr(ds, "ContentTime"))
        or parse_time(attr(ds, "SeriesTime"))
        or dt.time()
    )
    procedure = first_code(ds, "ProcedureCodeSequence")
    requested = requested_procedure(ds)
    return {
        "study_instance_uid": study_uid,
        "study_date": study_date,
        "study_time": study_time,
        "referring_physician_name": text(ds, "ReferringPhysicianName"),
        "study_id": text(ds, "StudyID"),
        "accession_number": text(ds, "AccessionNumber"),
        "study_description": text(ds, "StudyDescription"),
        "physician_of_record": text(ds, "PhysiciansOfRecord"),
        "name_of_physician_reading_study": text(ds, "NameOfPhysiciansReadingStudy"),
        "performing_physician_name": text(ds, "PerformingPhysicianName"),
        "operator_name": text(ds, "OperatorsName"),
        "procedure_code_value": procedure.code_value if procedure else None,
        "procedure_code_meaning": procedure.code_meaning if procedure else None,
        "requested_procedure_code_value": requested[0],
        "requested_procedure_code_meaning": requested[1],
        "series_instance_uid": text(ds, "SeriesInstanceUID"),
        "series_time": parse_time(attr(ds, "SeriesTime")),
        "content_time": parse_time(attr(ds, "ContentTime")),
    }


def requested_procedure(ds) -> tuple[str | None, str | None]:
    """(code value, meaning) of the requested procedure, from the code or the description."""
    code = first_code(ds, "RequestedProcedureCodeSequence")
    if code:
        return code.code_value, code.code_meaning
    requests = attr(ds, "RequestAttributesSequence")
    if requests:
        try:
            description = text(requests[0], "RequestedProcedureDescription")
        except (TypeError, IndexError):
            description = None
        if description:
            return None, description
    return None, text(ds, "RequestedProcedureDescription")


def patient_module(ds) -> dict:
    """Patient fields as sent; storage policy (drop or hash) is applied at import."""
    return {
        "patient_name": text(ds, "PatientName"),
        "patient_id": text(ds, "PatientID"),
        "patient_birth_date": parse_date(attr(ds, "PatientBirthDate")),
        "patient_sex": text(ds, "PatientSex"),
        "other_patient_ids": text(ds, "OtherPatientIDs"),
    }


def patient_study_module(ds, study_date: dt.date | None) -> dict:
    """Age, height and weight at the time of the study."""
    age_string = text(ds, "PatientAge")
    return {
        "patient_age": age_string,
        "patient_age_decimal": age_in_years(
            parse_date(attr(ds, "PatientBirthDate")), study_date, age_string
        ),
        "patient_size": positive(number(ds, "PatientSize")),
        "patient_weight": positive(number(ds, "PatientWeight")),
        "admitting_diagnosis_description": text(ds, "AdmittingDiagnosesDescription"),
    }


def age_in_years(birth_date, study_date, age_string) -> float | None:
    """Decimal age: from birth and study dates when both make sense, else from Patient's Age.

    A birth date after the study date (anonymisers write 9999-01-01) is ignored rather than
    giving a negative age.
    """
    if birth_date and study_date and study_date != MISSING_STUDY_DATE and birth_date <= study_date:
        return round((study_date - birth_date).days / _DAYS_PER_YEAR, 1)
    if age_string:
        match = _AGE.fullmatch(age_string)
        if match:
            count, unit = int(match.group(1)), match.group(2).upper()
            years = {"Y": count, "M": count / 12, "W": count * 7 / _DAYS_PER_YEAR,
                     "D": count / _DAYS_PER_YEAR}[unit]
            return round(years, 1)
    return None


def positive(value):
    """None for zero or negative sizes, which devices send when the value is unknown."""
    return value if value is not None and value > 0 else None


def equipment_module(ds) -> dict:
    """General Equipment fields; the eight identity fields make the equipment's identity."""
    calibration_date = attr(ds, "DateOfLastCalibration")
    calibration_time = attr(ds, "TimeOfLastCalibration")
    return {
        "manufacturer": text(ds, "Manufacturer"),
        "institution_name": text(ds, "InstitutionName"),
        "institution_address": text(ds, "InstitutionAddress"),
        "station_name": text(ds, "StationName"),
        "institutional_department_name": text(ds, "InstitutionalDepartmentName"),
        "manufacturer_model_name": text(ds, "ManufacturerModelName"),
        "device_serial_number": text(ds, "DeviceSerialNumber"),
        "software_versions": text(ds, "SoftwareVersions"),
        "gantry_id": text(ds, "GantryID"),
        "spatial_resolution": number(ds, "SpatialResolution"),
        # Several components may each report a calibration; one date cannot be chosen.
        # Both are date-times in the schema (as in OpenREM): the time sits on 1900-01-01.
        "date_of_last_calibration": combine(parse_date(single(calibration_date)), None),
        "time_of_last_calibration": combine(
            MISSING_STUDY_DATE if parse_time(single(calibration_time)) else None,
            parse_time(single(calibration_time)),
        ),
    }


def header_record(ds, warnings: list) -> dict:
    """Study-level record with the patient, patient-study and equipment children filled."""
    record = study_module(ds, warnings)
    record["patientmoduleattr_set"] = [patient_module(ds)]
    record["patientstudymoduleattr_set"] = [patient_study_module(ds, record["study_date"])]
    record["generalequipmentmoduleattr_set"] = [equipment_module(ds)]
    return record


def meta(ds, importer: str, warnings: list, **extra) -> dict:
    """The ``_meta`` entry of a record: facts about the source object that are not columns."""
    return {
        "importer": importer,
        "sop_class_uid": text(ds, "SOPClassUID"),
        "sop_instance_uid": text(ds, "SOPInstanceUID"),
        "warnings": warnings,
        **extra,
    }
