"""Radiography image headers (CR, DX, and PX panoramic dental): one irradiation event per image.

The dose area product is Image and Fluoroscopy Area Dose Product (0018,115E) in dGy·cm²; the
detector's exposure indices follow IEC 62494-1 (Exposure Index, Target Exposure Index,
Deviation Index) or the vendor's own scale (Relative X-Ray Exposure). Vendor fixes:
Kodak/Carestream write several filters into single values separated by commas and the DR 7500
gives the source to detector distance in dm; some units put decimals into IS attributes.
"""
from . import sop
from .codes import Code
from .common import header_record, meta
from .errors import ExtractionError
from .image_header import (
    FILTER_TYPES, PROJECTION_XRAY, SINGLE_PLANE, STATIONARY_ACQUISITION, HeaderReader,
    collimated_field_area, dose_area_product, exposure_time_ms, exposure_uas, grid_rows,
    laterality, material, projection_dose, protocol, tube_current_ma, without_series_fields,
)

IMPORTER = "dx"
MODALITIES = ("CR", "DX", "PX")

# View Position (0018,5101) terms to CID 4010 DX View, for images without a View Code
# Sequence. The decubitus and oblique terms have no exact match in the context group.
_VIEWS = {
    "AP": Code("R-10206", "antero-posterior", "SRT"),
    "PA": Code("R-10214", "postero-anterior", "SRT"),
    "LL": Code("R-10236", "left lateral", "SRT"),
    "RL": Code("R-10232", "right lateral", "SRT"),
}

# Vendor scales of Relative X-Ray Exposure (0018,1405), by manufacturer name, with their units.
_RELATIVE_EXPOSURE_UNITS = (
    ("fuji", "S ()"),
    ("carestream", "EI (Mbels)"),
    ("kodak", "EI (Mbels)"),
    ("agfa", "lgM (Bels)"),
    ("konica", "S ()"),
    ("canon", "REX ()"),
    ("swissray", "DI ()"),
    ("philips", "EI ()"),
    ("siemens", "EXI (μGy)"),
)

# Siemens units name the added copper in Filter Type instead of Filter Material and thickness.
_SIEMENS_COPPER = {"CU_0.1_MM": 0.1, "CU_0.2_MM": 0.2, "CU_0.3_MM": 0.3}

# Their study description is the only place these units name the requested procedure.
_REQUEST_IN_STUDY_DESCRIPTION = (("canon", "cxdi"), ("carestream health", "drx-revolution"))


def extract(ds) -> dict:
    """Study record for one radiographic image: the study levels plus one exposure event."""
    warnings: list[str] = []
    reader = HeaderReader(ds, warnings)
    record = without_series_fields(header_record(ds, warnings))
    record["modality_type"] = _modality(reader, warnings)
    record["study_description"] = _study_description(reader)
    record["procedure_code_meaning"] = _procedure_summary(reader)
    requested = _requested_procedure(reader)
    record["requested_procedure_code_value"] = requested[0]
    record["requested_procedure_code_meaning"] = requested[1]

    event = _event(reader)
    dap = event["dose_area_product"]
    accumulated = {"accumintegratedprojradiogdose_set": [{
        "dose_area_product_total": dap,
        "total_number_of_radiographic_frames": 1,
    }]}
    record["projectionxrayradiationdose_set"] = [
        projection_dose(PROJECTION_XRAY, accumulated, event)
    ]
    record["_meta"] = meta(ds, IMPORTER, warnings, acquisition_datetime=event["date_time_started"])
    return record


def _modality(reader: HeaderReader, warnings: list) -> str:
    modality = (reader.text("Modality") or "").upper()
    if modality in MODALITIES:
        return modality
    fallback = "CR" if reader.text("SOPClassUID") == sop.CR_IMAGE else "DX"
    warnings.append(f"Modality '{modality}' is not CR, DX or PX: stored as {fallback}")
    return fallback


def _study_description(reader: HeaderReader) -> str | None:
    description = reader.text("StudyDescription") or reader.text("SeriesDescription")
    if description:
        return description
    procedure = reader.code("ProcedureCodeSequence")
    return procedure.code_meaning if procedure else None


def _procedure_summary(reader: HeaderReader) -> str | None:
    """What the study lists show as the procedure: the coded procedure, else the protocol."""
    procedure = reader.code("ProcedureCodeSequence")
    if procedure and procedure.code_meaning:
        return procedure.code_meaning
    return (reader.text("ProtocolName") or reader.text("StudyDescription")
            or reader.text("SeriesDescription"))


def _requested_procedure(reader: HeaderReader) -> tuple[str | None, str | None]:
    """(code value, meaning) from the first place this unit recorded the request.

    Value and meaning always come from the same source, so a code is never paired with
    another source's description.
    """
    code = reader.code("RequestedProcedureCodeSequence")
    if code:
        return code.code_value, code.code_meaning
    requests = reader.value("RequestAttributesSequence")
    if requests:
        try:
            request = HeaderReader(requests[0], reader.warnings)
        except (TypeError, IndexError):
            request = None
        if request is not None:
            code = request.code("RequestedProcedureCodeSequence")
            if code:
                return code.code_value, code.code_meaning
            if request.text("RequestedProcedureDescription"):
                return None, request.text("RequestedProcedureDescription")
    code = reader.code("ProcedureCodeSequence")
    if code:
        return code.code_value, code.code_meaning
    if reader.text("RequestedProcedureDescription"):
        return None, reader.text("RequestedProcedureDescription")
    code = reader.code("PerformedProtocolCodeSequence")
    if code:
        return code.code_value, code.code_meaning
    manufacturer = (reader.text("Manufacturer") or "").lower()
    model = (reader.text("ManufacturerModelName") or "").lower()
    if any(m in manufacturer and n in model for m, n in _REQUEST_IN_STUDY_DESCRIPTION):
        return None, reader.text("StudyDescription")
    return None, None


def _event(reader: HeaderReader) -> dict:
    uid = reader.text("SOPInstanceUID")
    if not uid:
        raise ExtractionError("it has no SOP Instance UID to identify the exposure")
    anatomy = reader.code("AnatomicRegionSequence")
    view = reader.code("ViewCodeSequence")
    if view is None:
        view = _VIEWS.get((reader.text("ViewPosition") or "").upper())
    comment = reader.text("SeriesDescription")
    control = reader.text("ExposureControlModeDescription")
    if comment and control:
        comment = f"{comment}, {control}"
    detector = _detector(reader)
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
        "dose_area_product": dose_area_product(reader),
        "entrance_exposure_at_rp": reader.dose("EntranceDoseInmGy", "Entrance Dose in mGy"),
        "comment": comment or control,
        "irradeventxraydetectordata_set": [detector] if any(detector.values()) else [],
        "irradeventxraysourcedata_set": [_source(reader)],
        "irradeventxraymechanicaldata_set": [_mechanical(reader)],
    }


def _detector(reader: HeaderReader) -> dict:
    relative = reader.number("RelativeXRayExposure")
    unit = None
    if relative is not None:
        manufacturer = (reader.text("Manufacturer") or "").lower()
        unit = next((u for name, u in _RELATIVE_EXPOSURE_UNITS if name in manufacturer), None)
    return {
        "exposure_index": reader.number("ExposureIndex"),
        "target_exposure_index": reader.number("TargetExposureIndex"),
        "deviation_index": reader.number("DeviationIndex"),
        "relative_xray_exposure": relative,
        "relative_exposure_unit": unit,
        "sensitivity": reader.number("Sensitivity"),
    }


def _source(reader: HeaderReader) -> dict:
    kvp = reader.number("KVP")
    exposure = exposure_uas(reader)
    return {
        "average_xray_tube_current": tube_current_ma(reader),
        "exposure_time": exposure_time_ms(reader),
        "focal_spot_size": reader.number("FocalSpots"),
        "anode_target_material": material(reader.text("AnodeTargetMaterial")),
        "collimated_field_area": collimated_field_area(reader),
        "exposure_control_mode": reader.text("ExposureControlMode"),
        "grid_absorbing_material": reader.text("GridAbsorbingMaterial"),
        "grid_spacing_material": reader.text("GridSpacingMaterial"),
        "grid_thickness": reader.number("GridThickness"),
        "grid_pitch": reader.number("GridPitch"),
        "grid_aspect_ratio": _ratio(reader.numbers("GridAspectRatio")),
        "grid_period": reader.number("GridPeriod"),
        "grid_focal_distance": reader.number("GridFocalDistance"),
        "xraygrid_set": grid_rows(reader.texts("Grid")),
        "kvp_set": [{"kvp": kvp}] if kvp is not None else [],
        "exposure_set": [{"exposure": exposure}] if exposure is not None else [],
        "xrayfilters_set": _filters(reader),
    }


def _ratio(values: list[float]) -> float | None:
    """Grid Aspect Ratio is sent as two integers, e.g. 12\\1."""
    if len(values) >= 2 and values[1]:
        return values[0] / values[1]
    return values[0] if values else None


def _filters(reader: HeaderReader) -> list[dict]:
    """``xrayfilters_set`` rows: one per filter material, thicknesses paired by position."""
    filter_type = (reader.text("FilterType") or "").upper()
    if filter_type == "NONE":
        return [{"xray_filter_type": FILTER_TYPES["NONE"]}]
    if filter_type in _SIEMENS_COPPER:
        thickness = _SIEMENS_COPPER[filter_type]
        return [{
            "xray_filter_type": FILTER_TYPES["FLAT"],
            "xray_filter_material": material("COPPER"),
            "xray_filter_thickness_minimum": thickness,
            "xray_filter_thickness_maximum": thickness,
        }]
    materials = reader.texts("FilterMaterial")
    if not materials:
        return []
    several = len(materials) > 1
    minimums = reader.numbers("FilterThicknessMinimum", decimal_comma=not several)
    maximums = reader.numbers("FilterThicknessMaximum", decimal_comma=not several)
    rows = []
    for index, name in enumerate(materials):
        low = minimums[index] if index < len(minimums) else None
        high = maximums[index] if index < len(maximums) else None
        if low is not None and high is not None and low > high:
            low, high = high, low  # Kodak sends them the wrong way round
        rows.append({
            # One Filter Type describes the whole filtration; with several materials it says
            # nothing about each, and the added filters of radiography units are flat.
            "xray_filter_type": FILTER_TYPES["FLAT"] if several else FILTER_TYPES.get(filter_type),
            "xray_filter_material": material(name),
            "xray_filter_thickness_minimum": low,
            "xray_filter_thickness_maximum": high,
        })
    return rows


def _mechanical(reader: HeaderReader) -> dict:
    sid = reader.number("DistanceSourceToDetector")
    manufacturer = (reader.text("Manufacturer") or "").lower()
    model = (reader.text("ManufacturerModelName") or "").lower()
    if sid is not None and "kodak" in manufacturer and "dr 7500" in model:
        sid *= 100  # the DR 7500 gives this distance in dm
    entrance = reader.number("DistanceSourceToEntrance")
    if entrance is None:
        entrance = reader.number("DistanceSourceToPatient")
    return {
        "magnification_factor": reader.number("EstimatedRadiographicMagnificationFactor"),
        "positioner_primary_angle": reader.number("PositionerPrimaryAngle"),
        "positioner_secondary_angle": reader.number("PositionerSecondaryAngle"),
        "column_angulation": reader.number("ColumnAngulation"),
        "table_head_tilt_angle": reader.number("TableHeadTiltAngle"),
        "table_horizontal_rotation_angle": reader.number("TableHorizontalRotationAngle"),
        "table_cradle_tilt_angle": reader.number("TableCradleTiltAngle"),
        "doserelateddistancemeasurements_set": [{
            "distance_source_to_detector": sid,
            "distance_source_to_entrance_surface": entrance,
            "distance_source_to_isocenter": reader.number("DistanceSourceToIsocenter"),
            "table_height_position": reader.number("TableHeight"),
        }],
    }
