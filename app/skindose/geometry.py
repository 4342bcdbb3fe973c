"""The beam of one stored TID 10003 event, or what it lacks (docs/skin-dose.md, "Events").

Needed: dose at the reference point, the positioner primary and secondary angles, the
distance source to detector, the distance source to isocentre (or source to reference
point, from which it follows), and the collimated field (height and width, or area taken as
a square, or failing both the detector field size, ``ii_field_size``, taken as a square).
Table positions, kVp and filters improve the result but are not needed: without table
positions the event is placed where the first event was; kVp and the copper filters choose
the backscatter factor (80 kV and no copper when not sent).
"""
import math

from . import factors
from .calculation import IRP_FROM_ISOCENTRE

DOSE = "dose at reference point"
ANGLES = "positioner angles"
DETECTOR = "distance source to detector"
ISOCENTRE = "distance source to isocentre"
FIELD = "collimated field size"


def _first(rows):
    return rows[0] if rows else None


def _meaning(code, text):
    parts = [text or ""]
    if code is not None:
        parts.append(code.code_meaning or "")
    return " ".join(parts).lower()


def _copper(source) -> float:
    total = 0.0
    for f in source.xrayfilters_set:
        name = _meaning(f.xray_filter_material, None)
        value = f.xray_filter_material.code_value if f.xray_filter_material else ""
        if "copper" in name or value in ("C-127F9", "Cu"):
            thickness = f.xray_filter_thickness_maximum or f.xray_filter_thickness_minimum
            total += thickness or 0.0
    return total


def _mirror(event):
    relationship = _meaning(event.patient_table_relationship_cid,
                            event.patient_table_relationship)
    modifier = _meaning(event.patient_orientation_modifier_cid,
                        event.patient_orientation_modifier)
    x = y = z = 1
    if "feet" in relationship:
        x, z = -x, -z
    if "prone" in modifier:
        x, y = -x, -y
    return (x, y, z)


def beam(event) -> tuple[dict | None, list[str]]:
    """(the beam's fields for ``calculation.Beams.of``, or None; what is missing)."""
    source = _first(event.irradeventxraysourcedata_set)
    mechanical = _first(event.irradeventxraymechanicaldata_set)
    distances = _first(mechanical.doserelateddistancemeasurements_set) if mechanical else None
    missing = []
    dose = source.dose_rp if source else None
    if not dose or dose <= 0:
        missing.append(DOSE)
    primary = mechanical.positioner_primary_angle if mechanical else None
    secondary = mechanical.positioner_secondary_angle if mechanical else None
    if primary is None or secondary is None:
        missing.append(ANGLES)
    dsd = distances.distance_source_to_detector if distances else None
    if not dsd or dsd <= 0:
        missing.append(DETECTOR)
    dsi = distances.distance_source_to_isocenter if distances else None
    drp = distances.distance_source_to_reference_point if distances else None
    if not dsi or dsi <= 0:
        dsi = drp + IRP_FROM_ISOCENTRE if drp and drp > 0 else None
    if dsi is None:
        missing.append(ISOCENTRE)
    width = height = None
    if source is not None:
        width, height = source.collimated_field_width, source.collimated_field_height
        if not (width and height) and source.collimated_field_area:
            width = height = math.sqrt(source.collimated_field_area) * 1000.0  # m2 -> mm
        if not (width and height) and source.ii_field_size:
            width = height = float(source.ii_field_size)
    if not (width and height and width > 0 and height > 0):
        missing.append(FIELD)
    if missing:
        return None, missing
    kvps = [k.kvp for k in source.kvp_set if k.kvp]
    kvp = sum(kvps) / len(kvps) if kvps else None
    table = (distances.table_lateral_position, distances.table_longitudinal_position,
             distances.table_height_position)
    table = tuple(math.nan if t is None else t for t in table)
    return {"dose_rp": dose, "primary": primary, "secondary": secondary,
            "source_to_isocentre": dsi, "source_to_rp": drp if drp and drp > 0 else None,
            "source_to_detector": dsd, "field_width": width, "field_height": height,
            "table": table, "kvp": kvp, "copper": _copper(source), "mirror": _mirror(event)}, []
