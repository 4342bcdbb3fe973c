"""Mammography image headers: one irradiation event per image.

Digital Mammography images (for presentation or processing) and Hologic's tomosynthesis
projection objects (Secondary Captures with Modality MG and ORIGINAL in Image Type) carry the
exposure in ordinary attributes: Organ Dose is the average glandular dose in dGy, Body Part
Thickness the compressed breast thickness, Comments on Radiation Dose the glandularity ("31 %").
"""
import re

from . import sop
from .codes import Code
from .common import header_record, meta
from .errors import ExtractionError
from .image_header import (
    BOTH_BREASTS, LEFT, LEFT_BREAST, MAMMOGRAPHY, RIGHT, RIGHT_AND_LEFT, RIGHT_BREAST,
    SINGLE_PLANE, STATIONARY_ACQUISITION, HeaderReader, collimated_field_area,
    dose_area_product, exposure_time_ms, exposure_uas, grid_rows, laterality, material,
    projection_dose, protocol, tube_current_ma, without_series_fields,
)
from .sr import code_of

IMPORTER = "mg"
_GLANDULARITY = re.compile(r"([0-9]+(?:[.,][0-9]+)?)\s*%")
_BREAST_SIDE = {RIGHT: RIGHT_BREAST, LEFT: LEFT_BREAST, RIGHT_AND_LEFT: BOTH_BREASTS}

# GE Senographe puts the radiological thickness in a private attribute.
_GE_SENO = (0x0045, "GEMS_SENO_02", 0x49)

# View Position (0018,5101) terms to CID 4014 View for Mammography, for images without a View
# Code Sequence.
_VIEWS = {
    "CC": ("R-10242", "cranio-caudal"),
    "MLO": ("R-10226", "medio-lateral oblique"),
    "ML": ("R-10224", "medio-lateral"),
    "LM": ("R-10228", "latero-medial"),
    "LMO": ("R-10230", "latero-medial oblique"),
    "FB": ("R-10244", "caudo-cranial (from below)"),
}


def extract(ds) -> dict:
    """Study record for one mammography image: the study levels plus one exposure event."""
    warnings: list[str] = []
    reader = HeaderReader(ds, warnings)
    record = without_series_fields(header_record(ds, warnings))
    record["modality_type"] = "MG"
    event = _event(reader)
    # The protocol stands in for a procedure description, so study lists can show one.
    record["procedure_code_meaning"] = event["acquisition_protocol"]
    record["projectionxrayradiationdose_set"] = [
        projection_dose(MAMMOGRAPHY, _accumulated(event), event)
    ]
    record["_meta"] = meta(
        ds, IMPORTER, warnings,
        acquisition_datetime=event["date_time_started"],
        # Hologic sends each tomosynthesis projection as a Secondary Capture with the same
        # acquisition time as its 2D partner; the same-time duplicate rule would drop one.
        skip_time_duplicate_check=reader.text("SOPClassUID") == sop.SECONDARY_CAPTURE,
    )
    return record


def _event(reader: HeaderReader) -> dict:
    uid = reader.text("SOPInstanceUID")
    if not uid:
        raise ExtractionError("it has no SOP Instance UID to identify the exposure")
    anatomy = reader.code("AnatomicRegionSequence")
    view = reader.code("ViewCodeSequence")
    if view is None:
        view = _view_from_position(reader.text("ViewPosition"))
    return {
        "acquisition_plane": SINGLE_PLANE,
        "irradiation_event_uid": uid,
        "date_time_started": reader.acquisition_datetime(),
        "irradiation_event_type": STATIONARY_ACQUISITION,
        "acquisition_protocol": protocol(reader),
        "anatomical_structure": anatomy,
        "target_region": anatomy,
        "laterality": laterality(reader),
        "image_view": view,
        "imageviewmodifier_set": _view_modifiers(reader),
        "entrance_exposure_at_rp": reader.dose("EntranceDoseInmGy", "Entrance Dose in mGy"),
        "dose_area_product": dose_area_product(reader),
        "percent_fibroglandular_tissue": _glandularity(reader.text("CommentsOnRadiationDose")),
        "comment": reader.text("ExposureControlModeDescription"),
        "irradeventxraysourcedata_set": [_source(reader)],
        "irradeventxraymechanicaldata_set": [_mechanical(reader)],
    }


def _source(reader: HeaderReader) -> dict:
    organ_dose = reader.dose("OrganDose", "Organ Dose (average glandular dose)")
    current = tube_current_ma(reader)
    kvp = reader.number("KVP")
    exposure = exposure_uas(reader)
    filter_material = material(reader.text("FilterMaterial"))
    thicknesses = (reader.numbers("FilterThicknessMinimum")
                   + reader.numbers("FilterThicknessMaximum"))
    source = {
        # Organ Dose is in dGy in image headers.
        "average_glandular_dose": organ_dose * 100 if organ_dose is not None else None,
        "average_xray_tube_current": current,
        "exposure_time": exposure_time_ms(reader),
        "focal_spot_size": reader.number("FocalSpots"),
        "anode_target_material": material(reader.text("AnodeTargetMaterial")),
        "collimated_field_area": collimated_field_area(reader),
        "exposure_control_mode": reader.text("ExposureControlMode"),
        "xraygrid_set": grid_rows(reader.texts("Grid"), order_by_code=True),
        "kvp_set": [{"kvp": kvp}] if kvp is not None else [],
        "xraytubecurrent_set": [{"xray_tube_current": current}] if current is not None else [],
        "exposure_set": [{"exposure": exposure}] if exposure is not None else [],
        "xrayfilters_set": [],
    }
    if filter_material is not None or thicknesses:
        source["xrayfilters_set"] = [{
            "xray_filter_material": filter_material,
            "xray_filter_thickness_minimum": min(thicknesses) if thicknesses else None,
            "xray_filter_thickness_maximum": max(thicknesses) if thicknesses else None,
        }]
    return source


def _mechanical(reader: HeaderReader) -> dict:
    force = reader.number("CompressionForce")
    return {
        "compression_thickness": reader.number("BodyPartThickness"),
        # Recorded as sent (N); zero is what units send when no force was measured.
        "compression_force": force if force else None,
        "magnification_factor": reader.number("EstimatedRadiographicMagnificationFactor"),
        # For a mammography gantry the positioner's primary angle is the column's rotation.
        "column_angulation": reader.number("PositionerPrimaryAngle"),
        "doserelateddistancemeasurements_set": [{
            "distance_source_to_detector": reader.number("DistanceSourceToDetector"),
            "distance_source_to_entrance_surface": reader.number("DistanceSourceToEntrance"),
            "radiological_thickness": reader.private_number(*_GE_SENO),
        }],
    }


def _accumulated(event: dict) -> dict:
    """Accumulated AGD for the breast this image exposed (the importer sums images per breast)."""
    agd = event["irradeventxraysourcedata_set"][0]["average_glandular_dose"]
    if agd is None:
        return {"accummammographyxraydose_set": []}
    return {"accummammographyxraydose_set": [{
        "accumulated_average_glandular_dose": agd,
        "laterality": _BREAST_SIDE.get(event["laterality"]),
    }]}


def _glandularity(comment: str | None) -> float | None:
    """Percentage glandular tissue from Comments on Radiation Dose, e.g. "31 %"."""
    if not comment:
        return None
    match = _GLANDULARITY.search(comment)
    return float(match.group(1).replace(",", ".")) if match else None


def _view_from_position(position: str | None) -> Code | None:
    found = _VIEWS.get((position or "").strip().upper())
    return Code(found[0], found[1], "SRT") if found else None


def _view_modifiers(reader: HeaderReader) -> list[dict]:
    """View Modifier Code Sequence inside the View Code Sequence (magnification, spot...)."""
    views = reader.value("ViewCodeSequence")
    if not views:
        return []
    try:
        modifiers = HeaderReader(views[0], reader.warnings).value("ViewModifierCodeSequence")
    except (TypeError, IndexError):
        return []
    rows = []
    for item in modifiers or []:
        code = code_of(item)
        if code is not None:
            rows.append({"image_view_modifier": code})
    return rows
