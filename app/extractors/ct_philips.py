"""Philips CT "Dose Info" secondary captures: the dose page of a study, with its numbers in tags.

Older Philips scanners (Brilliance, Gemini) send no dose SR; the dose page they store instead
carries an Exposure Dose Sequence with one item per scan (CTDIvol, kVp, collimation, pitch)
and, in Philips' private ELSCINT1 block, the DLP of each scan and of the study and the CTDI
phantom. Protocol Name holds what the scanner ran, so it becomes the study description; the
real Study Description, the dose comments and the protocol file go into the comment.
"""
import datetime as dt

from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from .codes import Code
from .common import header_record, meta
from .errors import ExtractionError
from .image_header import (
    COPIED_FROM_IMAGE_ATTRIBUTES, DIAGNOSTIC_INTENT, STUDY_SCOPE, HeaderReader,
    without_series_fields,
)

IMPORTER = "ct-philips"
CT_XRAY = Code("P5-08000", "Computed Tomography X-Ray", "SRT")  # CID 10000 Procedure Reported

# Philips private attributes: (group, creator, element offset).
_DLP = (0x00E1, "ELSCINT1", 0x21)  # mGy·cm, per scan in the sequence item, total at the top
_PROTOCOL_FILE = (0x00E1, "ELSCINT1", 0x61)
_PHANTOM = (0x01E1, "ELSCINT1", 0x26)


def _dcm(keyword: str) -> Code:
    concept = getattr(codes.DCM, keyword)
    return Code(concept.value, concept.meaning, "DCM")


# Acquisition Type (0018,9302) to CID 10013 CT Acquisition Type.
_ACQUISITION_TYPES = {
    "SEQUENCED": _dcm("SequencedAcquisition"),
    "SPIRAL": Code("P5-08001", "Spiral Acquisition", "SRT"),
    "CONSTANT_ANGLE": _dcm("ConstantAngleAcquisition"),
    "STATIONARY": _dcm("StationaryAcquisition"),
    "FREE": _dcm("FreeAcquisition"),
}
_PHANTOMS = {
    "16 CM": _dcm("IECHeadDosimetryPhantom"),
    "32 CM": _dcm("IECBodyDosimetryPhantom"),
}


def extract(ds) -> dict:
    """Study record for a Philips CT dose page: one irradiation event per scan it lists."""
    warnings: list[str] = []
    reader = HeaderReader(ds, warnings)
    record = without_series_fields(header_record(ds, warnings))
    record["modality_type"] = "CT"
    record["study_description"] = reader.text("ProtocolName")

    scans = reader.value("ExposureDoseSequence")
    if scans is None:
        raise ExtractionError("the Philips dose page has no Exposure Dose Sequence")
    sop_instance_uid = reader.text("SOPInstanceUID")
    if not sop_instance_uid:
        raise ExtractionError("it has no SOP Instance UID")
    events = []
    for index, item in enumerate(scans):
        scan = HeaderReader(item, warnings)
        # Items without an acquisition type are not scans (e.g. the dose page itself).
        if scan.text("AcquisitionType"):
            events.append(_event(scan, reader, sop_instance_uid, index))
    if not events:
        warnings.append("the Philips dose page lists no scans that could be read")

    started = [e["date_time_started"] for e in events if e["date_time_started"]]
    record["ctradiationdose_set"] = [{
        "procedure_reported": CT_XRAY,
        "has_intent": DIAGNOSTIC_INTENT,
        "scope_of_accumulation": STUDY_SCOPE,
        "source_of_dose_information": COPIED_FROM_IMAGE_ATTRIBUTES,
        "start_of_xray_irradiation": min(started) if started else None,
        "end_of_xray_irradiation": _end_of_irradiation(events),
        "comment": _comment(reader),
        "ctaccumulateddosedata_set": [{
            "total_number_of_irradiation_events": _count(reader.number("TotalNumberOfExposures")),
            # Not every software version writes the study DLP (the total is then left empty,
            # not summed, so a missing scan cannot hide behind a plausible total).
            "ct_dose_length_product_total": reader.private_dose(*_DLP, "DLP total"),
            "comment": reader.text("CommentsOnRadiationDose"),
        }],
        "ctirradiationeventdata_set": events,
    }]
    record["_meta"] = meta(
        ds, IMPORTER, warnings,
        acquisition_datetime=min(started) if started else None,
        # The scans carry no UIDs of their own; these are derived from the SOP Instance UID.
        derived_event_uids=True,
    )
    return record


def _event(scan: HeaderReader, page: HeaderReader, sop_instance_uid: str, index: int) -> dict:
    exposure_time = scan.number("ExposureTime")
    current_ua = scan.number("XRayTubeCurrentInuA")
    phantom = _private_text(scan, _PHANTOM) or _private_text(page, _PHANTOM)
    return {
        "acquisition_protocol": scan.text("SeriesDescription"),
        "ct_acquisition_type": _ACQUISITION_TYPES.get((scan.text("AcquisitionType") or "").upper()),
        # Stable across re-imports, so the same page is recognised as already imported.
        "irradiation_event_uid": generate_uid(entropy_srcs=[sop_instance_uid, "scan", str(index)]),
        "exposure_time": exposure_time / 1000 if exposure_time is not None else None,  # ms to s
        "nominal_single_collimation_width": scan.number("SingleCollimationWidth"),
        "nominal_total_collimation_width": scan.number("TotalCollimationWidth"),
        "pitch_factor": scan.number("SpiralPitchFactor"),
        "number_of_xray_sources": 1,
        "ctdiw_phantom_type": _PHANTOMS.get((phantom or "").strip().upper()),
        "mean_ctdivol": scan.dose("CTDIvol", "CTDIvol"),
        "dlp": scan.private_dose(*_DLP, "DLP"),
        "date_time_started": scan.acquisition_datetime(),
        "ctxraysourceparameters_set": [{
            "identification_of_the_xray_source": "A",
            "kvp": scan.number("KVP"),
            "xray_tube_current": current_ua / 1000 if current_ua is not None else None,  # µA to mA
        }],
        "scanninglength_set": [{"scanning_length": scan.number("ScanLength")}],
    }


def _comment(page: HeaderReader) -> str | None:
    """The study description, dose comments and protocol file the scanner recorded."""
    parts = [
        ("StudyDescription", page.text("StudyDescription")),
        ("Comments on radiation dose", page.text("CommentsOnRadiationDose")),
        ("ProtocolFilename", _private_text(page, _PROTOCOL_FILE)),
    ]
    present = [f"{label}: {value}" for label, value in parts if value]
    return ". ".join(present) or None


def _private_text(reader: HeaderReader, where: tuple) -> str | None:
    tag = reader.private_tag(*where)
    return reader.text(tag) if tag is not None else None


def _end_of_irradiation(events: list[dict]):
    """End of the last scan: its start plus its exposure time, when both are known."""
    timed = [e for e in events if e["date_time_started"]]
    if not timed:
        return None
    last = max(timed, key=lambda e: e["date_time_started"])
    if last["exposure_time"] is None:
        return None
    return last["date_time_started"] + dt.timedelta(seconds=last["exposure_time"])


def _count(value: float | None) -> int | None:
    return int(value) if value is not None and value >= 0 else None
