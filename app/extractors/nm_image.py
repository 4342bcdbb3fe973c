"""NM and PET image headers: the radiopharmaceutical given and, for PET, the series acquired.

Images carry less than a Radiopharmaceutical Radiation Dose SR and sometimes disagree with it,
so their record is marked for merging: the importer fills only the gaps of a study that already
exists and never replaces what a report or an earlier image stored (see docs/import-nm.md).
"""
import math

from pydicom.multival import MultiValue

from . import sop
from .common import attr, first_code, header_record, meta, number, text
from .errors import ExtractionError, ExtractorError, NotDoseObject
from .nm_units import molar_activity
from .radiopharmaceutical import empty_administration, empty_radiopharmaceutical_dose
from .values import combine, parse_date, parse_datetime, parse_time, text_of

#: NM images give the total dose in MBq (PS3.3 C.8.4.10), PET images in Bq (PS3.3 C.8.9.2).
_BQ_PER_MBQ = 1e6
#: No administration reaches 100 GBq; an NM value this large can only have been written in Bq.
_NM_LARGEST_MBQ = 1e5
#: No PET administration is below 10 kBq; a PET value this small can only have been written in MBq.
_PET_SMALLEST_BQ = 1e4


def extract(ds) -> dict:
    """Study record from an NM or PET image header."""
    sop_class = text(ds, "SOPClassUID")
    if sop_class not in sop.NM_CLASSES:
        raise NotDoseObject(f"its SOP class {sop_class} is neither an NM nor a PET image")
    is_pet = sop_class == sop.PET_IMAGE
    warnings: list[str] = []
    try:
        record = header_record(ds, warnings)
        record["modality_type"] = "NM"
        information = _radiopharmaceutical_information(ds, warnings)
        dose = empty_radiopharmaceutical_dose()
        dose["radiopharmaceuticaladministrationeventdata_set"] = [
            administration(information, is_pet, record["study_date"], warnings)
        ]
        if is_pet:
            dose["petseries_set"] = [pet_series(ds)]
    except ExtractorError:
        raise
    except Exception as exc:  # a header Kerma cannot read must not stop a whole import run
        raise ExtractionError(
            f"the image header is malformed ({type(exc).__name__}: {exc})"
        ) from exc
    record["radiopharmaceuticalradiationdose_set"] = [dose]
    record["_meta"] = meta(
        ds, "nm", warnings,
        merge="fill-gaps",
        series_instance_uid=record["series_instance_uid"],
        pet_series_uid=record["series_instance_uid"] if is_pet else None,
        administration_event_uid=text(information, "RadiopharmaceuticalAdministrationEventUID")
        if information is not None else None,
    )
    return record


def _radiopharmaceutical_information(ds, warnings):
    sequence = attr(ds, "RadiopharmaceuticalInformationSequence")
    if not sequence:
        warnings.append("the image has no Radiopharmaceutical Information Sequence")
        return None
    if len(sequence) > 1:
        warnings.append(
            f"the image lists {len(sequence)} radiopharmaceuticals; only the first is stored"
        )
    return sequence[0]


def administration(information, is_pet: bool, study_date, warnings: list) -> dict:
    """The administration event described by one Radiopharmaceutical Information item.

    The event UID is left empty on purpose: an image-only administration is recognised by it,
    and a radiopharmaceutical dose report for the study later replaces the whole event.
    """
    event = empty_administration()
    if information is None:
        return event
    event.update({
        "radiopharmaceutical_agent": first_code(information, "RadiopharmaceuticalCodeSequence"),
        "radiopharmaceutical_agent_string": text(information, "Radiopharmaceutical"),
        "radionuclide": first_code(information, "RadionuclideCodeSequence"),
        "radionuclide_half_life": _quantity(
            information, "RadionuclideHalfLife", "Radionuclide Half Life", warnings),
        "radiopharmaceutical_volume": _quantity(
            information, "RadiopharmaceuticalVolume", "Radiopharmaceutical Volume", warnings),
        "radiopharmaceutical_start_datetime": _moment(information, "Start", study_date, warnings),
        "radiopharmaceutical_stop_datetime": _moment(information, "Stop", study_date, warnings),
        "administered_activity": _administered_activity(information, is_pet, warnings),
        "route_of_administration": first_code(information, "AdministrationRouteCodeSequence"),
    })
    specific = _quantity(information, "RadiopharmaceuticalSpecificActivity",
                         "Radiopharmaceutical Specific Activity", warnings, ceiling=False)
    if specific is not None:
        event["radiopharmaceutical_specific_activity"] = molar_activity(specific, "Bq/umol")
    return event


def _administered_activity(information, is_pet, warnings) -> float | None:
    """Radionuclide Total Dose in MBq."""
    value = _quantity(information, "RadionuclideTotalDose", "Radionuclide Total Dose", warnings)
    if value is None:
        return None
    if is_pet:
        if value < _PET_SMALLEST_BQ:
            warnings.append(
                f"Radionuclide Total Dose {value:g} is too small to be in Bq: read as MBq")
            return value
        return value / _BQ_PER_MBQ
    if value > _NM_LARGEST_MBQ:
        warnings.append(
            f"Radionuclide Total Dose {value:g} is too large to be in MBq: read as Bq")
        return value / _BQ_PER_MBQ
    return value


def _moment(information, which, study_date, warnings):
    """Radiopharmaceutical start or stop: the date-time, else the time on the study date."""
    moment = parse_datetime(attr(information, f"Radiopharmaceutical{which}DateTime"))
    if moment is not None:
        return moment
    time = parse_time(attr(information, f"Radiopharmaceutical{which}Time"))
    if time is None:
        return None
    if study_date is None or study_date.year == 1900:
        warnings.append(f"radiopharmaceutical {which.lower()} time without a date: not stored")
        return None
    return combine(study_date, time)


def _quantity(dataset, keyword, name, warnings: list, ceiling=True) -> float | None:
    """A non-negative numeric attribute; zero means not recorded; nonsense is noted, not stored."""
    raw = attr(dataset, keyword)
    if isinstance(raw, (MultiValue, list, tuple)):
        raw = raw[0] if len(raw) else None
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        problem = f"is not a number ('{str(raw)[:40]}')"
    else:
        if not math.isfinite(value):
            problem = f"is not a finite number ({value})"
        elif value < 0:
            problem = f"is negative ({value:g})"
        elif ceiling and value > 1e12:
            problem = f"has an implausible value ({value:g})"
        else:
            return value or None
    warnings.append(f"{name} {problem}: not stored")
    return None


def pet_series(ds) -> dict:
    """One PET Series row: acquisition and reconstruction details of the image's series."""
    series_date = parse_date(attr(ds, "SeriesDate"))
    series_time = parse_time(attr(ds, "SeriesTime"))
    energy_window = _first_item(ds, "EnergyWindowRangeSequence")
    return {
        "series_uid": text(ds, "SeriesInstanceUID"),
        "series_datetime": combine(series_date, series_time) if series_time else None,
        "number_of_rr_intervals": _count(ds, "NumberOfRRIntervals"),
        "number_of_time_slots": _count(ds, "NumberOfTimeSlots"),
        "number_of_time_slices": _count(ds, "NumberOfTimeSlices"),
        "number_of_slices": _count(ds, "NumberOfSlices"),
        "reconstruction_method": text(ds, "ReconstructionMethod"),
        "coincidence_window_width": number(ds, "CoincidenceWindowWidth"),
        "energy_window_lower_limit": number(energy_window, "EnergyWindowLowerLimit")
        if energy_window is not None else None,
        "energy_window_upper_limit": number(energy_window, "EnergyWindowUpperLimit")
        if energy_window is not None else None,
        "scan_progression_direction": text(ds, "ScanProgressionDirection"),
        "petseriescorrection_set": [
            {"corrected_image": value} for value in _values(ds, "CorrectedImage")
        ],
        "petseriestype_set": [{"series_type": value} for value in _values(ds, "SeriesType")],
    }


def _count(ds, keyword) -> int | None:
    value = number(ds, keyword)
    return int(value) if value is not None else None


def _first_item(ds, keyword):
    sequence = attr(ds, keyword)
    return sequence[0] if sequence else None


def _values(ds, keyword) -> list[str]:
    """Each value of a multi-valued string attribute, blanks dropped."""
    value = attr(ds, keyword)
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        value = [value]
    return [part for part in (text_of(v) for v in value) if part]
