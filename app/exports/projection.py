"""Loading projection X-ray events (TID 10001/10003) for the DX, MG and RF exports.

An event's tuple holds its row, its first source, detector and mechanical data and distance
measurements, and values worked out from the repeatable items: per-pulse kVp, tube current
and pulse width become their mean (zeros left out), exposures their sum in mAs, filters one
text. Per-pulse mammography and fluoroscopy events are therefore one row like any other.
"""
from ..models.projection import (
    IrradEventXRayData,
    IrradEventXRayMechanicalData,
    IrradEventXRaySourceData,
    ProjectionXRayRadiationDose,
)
from . import columns as c
from .loading import BatchQuery, ChildQuery, RootQuery, Shape, max_events, select_fields

ROOT = ProjectionXRayRadiationDose
EVENTS = (ROOT.irradeventxraydata_set,)

EVENT_QUERY = BatchQuery(select_fields(
    IrradEventXRayData,
    ("id", "acquisition_plane", "date_time_started", "irradiation_event_type",
     "acquisition_protocol", "anatomical_structure", "laterality", "image_view",
     "target_region", "dose_area_product", "entrance_exposure_at_rp",
     "percent_fibroglandular_tissue", "comment", "irradiation_event_uid"),
    path=EVENTS, keys=(ROOT.general_study_module_attr_id.label("study_id"),),
).order_by(IrradEventXRayData.id), ROOT.general_study_module_attr_id)
ROOTS = RootQuery(ROOT, ("id", "comment"))
SOURCES = ChildQuery(IrradEventXRayData.irradeventxraysourcedata_set, (
    "id", "dose_rp", "average_glandular_dose", "fluoro_mode", "pulse_rate", "number_of_pulses",
    "irradiation_duration", "average_xray_tube_current", "exposure_time", "focal_spot_size",
    "anode_target_material", "collimated_field_area", "collimated_field_height",
    "collimated_field_width", "ii_field_size", "exposure_control_mode", "grid_focal_distance"))
DETECTORS = ChildQuery(IrradEventXRayData.irradeventxraydetectordata_set, (
    "exposure_index", "target_exposure_index", "deviation_index", "relative_xray_exposure"))
MECHANICS = ChildQuery(IrradEventXRayData.irradeventxraymechanicaldata_set, (
    "id", "positioner_primary_angle", "positioner_secondary_angle", "column_angulation",
    "compression_thickness", "compression_force", "magnification_factor"))
DISTANCES = ChildQuery(
    IrradEventXRayMechanicalData.doserelateddistancemeasurements_set, (
        "distance_source_to_detector", "distance_source_to_isocenter",
        "distance_source_to_entrance_surface", "distance_source_to_reference_point",
        "table_height_position", "radiological_thickness"))
KVPS = ChildQuery(IrradEventXRaySourceData.kvp_set, ("kvp",))
CURRENTS = ChildQuery(IrradEventXRaySourceData.xraytubecurrent_set, ("xray_tube_current",))
EXPOSURES = ChildQuery(IrradEventXRaySourceData.exposure_set, ("exposure",))
PULSE_WIDTHS = ChildQuery(IrradEventXRaySourceData.pulsewidth_set, ("pulse_width",))
FILTERS = ChildQuery(IrradEventXRaySourceData.xrayfilters_set, (
    "xray_filter_type", "xray_filter_material", "xray_filter_thickness_minimum",
    "xray_filter_thickness_maximum"))
GRIDS = ChildQuery(IrradEventXRaySourceData.xraygrid_set, ("xray_grid",))
MODIFIERS = ChildQuery(IrradEventXRayData.imageviewmodifier_set, ("image_view_modifier",))

DERIVED = (
    "kvp", "tube_current", "mas", "pulse_width", "pulse_values", "filters",
    "filter_thicknesses", "mean_filter_thickness", "copper_thickness",
    "aluminium_thickness", "grids", "view_modifiers", "target", "plane",
)
EVENT_SHAPE = Shape(row=EVENT_QUERY.fields[1:], source=SOURCES.fields,
                    detector=DETECTORS.fields, mechanical=MECHANICS.fields,
                    distances=DISTANCES.fields, derived=DERIVED)
NO = {part: EVENT_SHAPE.empty(part) for part in ("source", "detector", "mechanical", "distances")}

# Filter and anode materials (CID 10006, 10016) by chemical symbol, matched on the meaning.
ELEMENTS = {
    "aluminum": "Al", "aluminium": "Al", "copper": "Cu", "molybdenum": "Mo", "rhodium": "Rh",
    "silver": "Ag", "tungsten": "W", "tantalum": "Ta", "niobium": "Nb", "tin": "Sn",
    "lead": "Pb", "beryllium": "Be", "erbium": "Er", "gadolinium": "Gd", "yttrium": "Y",
    "titanium": "Ti", "palladium": "Pd",
}
# Acquisition planes (CID 10003): B is 113621, anything else counts as plane A.
PLANE_B = "113621"

POSITIONS = {name: EVENT_SHAPE.position(name) for name in (
    "row.acquisition_protocol", "row.irradiation_event_type", "row.irradiation_event_type_code",
    "row.date_time_started", "row.dose_area_product", "source.dose_rp", "source.pulse_rate",
    "source.ii_field_size", "source.exposure_time", "mechanical.positioner_primary_angle",
    "mechanical.positioner_secondary_angle", "derived.kvp", "derived.tube_current",
    "derived.pulse_width", "derived.filters", "derived.mean_filter_thickness",
    "derived.plane", "row.acquisition_plane_code")}


def element(meaning: str | None) -> str | None:
    """The chemical symbol of a material code meaning ("Copper or Copper compound" -> "Cu")."""
    if not meaning:
        return None
    first = meaning.split()[0].lower()
    return ELEMENTS.get(first, meaning)


def load(session, ids, studies):
    """Add each study's projection events, with first source/detector/mechanical data."""
    for study_id, root in ROOTS.first(session, ids).items():
        studies[study_id].root = root
    events = EVENT_QUERY.rows(session, ids)
    event_ids = [row[1] for row in events]
    sources = _first(SOURCES.by_parent(session, event_ids))
    detectors = _first(DETECTORS.by_parent(session, event_ids))
    mechanics = _first(MECHANICS.by_parent(session, event_ids))
    modifiers = MODIFIERS.by_parent(session, event_ids)
    source_ids = [source[_SOURCE_ID] for source in sources.values()]
    distances = _first(DISTANCES.by_parent(
        session, [mechanical[_MECHANICAL_ID] for mechanical in mechanics.values()]))
    kvps = KVPS.by_parent(session, source_ids)
    currents = CURRENTS.by_parent(session, source_ids)
    exposures = EXPOSURES.by_parent(session, source_ids)
    widths = PULSE_WIDTHS.by_parent(session, source_ids)
    filters = FILTERS.by_parent(session, source_ids)
    grids = GRIDS.by_parent(session, source_ids)
    for row in events:
        event_id = row[1]
        source = sources.get(event_id, NO["source"])
        mechanical = mechanics.get(event_id, NO["mechanical"])
        sid = source[_SOURCE_ID]
        derived = _derived(
            row, source, _values(kvps, sid), _values(currents, sid), _values(exposures, sid),
            _values(widths, sid), filters.get(sid, ()), grids.get(sid, ()),
            modifiers.get(event_id, ()))
        studies[row[0]].events.append(
            row[1:] + source + detectors.get(event_id, NO["detector"]) + mechanical
            + distances.get(mechanical[_MECHANICAL_ID], NO["distances"]) + derived)


def _first(groups):
    return {key: rows[0] for key, rows in groups.items()}


def _values(groups, key):
    """The one value of each child row (after its key)."""
    return [row[1] for row in groups.get(key, ())]


_SOURCE_ID = SOURCES.fields.index("id")
_MECHANICAL_ID = MECHANICS.fields.index("id")
_AVERAGE_CURRENT = SOURCES.fields.index("average_xray_tube_current")
_ANODE = SOURCES.fields.index("anode_target_material")
_PLANE_CODE = 1 + EVENT_QUERY.fields[1:].index("acquisition_plane_code")
_PLANE = 1 + EVENT_QUERY.fields[1:].index("acquisition_plane")
_MATERIAL = FILTERS.fields.index("xray_filter_material")
_THINNEST = FILTERS.fields.index("xray_filter_thickness_minimum")
_THICKEST = FILTERS.fields.index("xray_filter_thickness_maximum")


def _derived(row, source, kvps, currents, exposures, widths, filters, grids, modifiers):
    tube_current = c.mean(currents)
    if tube_current is None:
        tube_current = source[_AVERAGE_CURRENT]
    if exposures:
        mas = c.rescale(sum(e for e in exposures if e is not None), c.UAS_TO_MAS)
    elif currents and len(currents) == len(widths) and None not in currents + widths:
        # Per-pulse tube current and pulse width (ms) without exposures: their products.
        mas = round(sum(i * w for i, w in zip(currents, widths)) / 1000, 6)
    else:
        mas = None
    materials = [element(f[_MATERIAL]) for f in filters]
    thicknesses = [_thickness(f[_THINNEST], f[_THICKEST]) for f in filters]
    means = [_mean_thickness(f[_THINNEST], f[_THICKEST]) for f in filters]
    copper = _sum_of(means, materials, "Cu")
    aluminium = _sum_of(means, materials, "Al")
    present = [m for m in means if m is not None]
    return (
        c.mean(kvps), tube_current, mas, c.mean(widths),
        max(len(kvps), len(currents), len(widths)) or None,
        c.joined(materials), c.joined(thicknesses),
        round(sum(present), 6) if present else None, copper, aluminium,
        c.joined(g[1] for g in grids), c.joined(m[1] for m in modifiers),
        element(source[_ANODE]),
        "B" if row[_PLANE_CODE] == PLANE_B else ("A" if row[_PLANE] else None),
    )


def _thickness(minimum, maximum):
    if minimum is None and maximum is None:
        return None
    if minimum is None or maximum is None or minimum == maximum:
        return f"{minimum if minimum is not None else maximum:g}"
    return f"{minimum:g}–{maximum:g}"


def _mean_thickness(minimum, maximum):
    values = [v for v in (minimum, maximum) if v is not None]
    return sum(values) / len(values) if values else None


def _sum_of(thicknesses, materials, symbol):
    values = [t for t, m in zip(thicknesses, materials) if m == symbol and t is not None]
    return round(sum(values), 6) if values else None


def block_counts(session, query):
    """Events per study, at most: the number of E blocks in the csv."""
    return [max_events(session, query)]


# Columns every projection export can use.
def dap(header="DAP (cGy·cm²)", source="row.dose_area_product"):
    """A dose-area product column in cGy·cm² (stored in Gy·m²)."""
    return c.number(header, source, c.GY_M2_TO_CGY_CM2)


STUDY_TOTAL_DAP = dap("Total DAP (cGy·cm²)", "study.total_dap")
