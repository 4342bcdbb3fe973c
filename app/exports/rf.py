"""Fluoroscopy export (TID 10001): per-plane totals per study; the xlsx adds the exposures,
grouped as OpenREM groups them, and one sheet per protocol with one row per exposure.

Exposures fall in one group when they share event type, protocol, plane, field size, pulse
rate and filtration and their angles lie within 5° of the group's first exposure.
"""
from sqlalchemy import select

from ..models.projection import AccumXRayDose
from ..models.skindose import SkinDoseMap
from . import columns as c
from . import projection as p
from .columns import Block
from .common import ModalityExport
from .loading import Shape, StudyChildQuery, study_batches, study_shape

PLANES = StudyChildQuery((p.ROOT.accumxraydose_set,), ("id", "acquisition_plane"))
TOTALS = StudyChildQuery((p.ROOT.accumxraydose_set, AccumXRayDose.accumprojxraydose_set), (
    "dose_area_product_total", "dose_rp_total", "fluoro_dose_area_product_total",
    "fluoro_dose_rp_total", "total_fluoro_time", "acquisition_dose_area_product_total",
    "acquisition_dose_rp_total", "total_acquisition_time"))
PLANE_FIELDS = TOTALS.fields
STUDY_SHAPE = study_shape(
    root_fields=p.ROOTS.fields,
    more_fields=[*(f"{plane}_{field}" for plane in "ab" for field in PLANE_FIELDS),
                 "peak_skin_dose"])
ANGLE_RANGE = 5.0  # degrees


def load(session, ids, studies):
    """Projection events plus each plane's accumulated totals."""
    p.load(session, ids, studies)
    totals = TOTALS.by_parent(session, ids)
    empty = (None,) * len(PLANE_FIELDS)
    planes = {}
    for study_id, plane_rows in PLANES.by_study(session, ids).items():
        found = {}
        for _root, _study, accum_id, _meaning, code in plane_rows:
            side = "b" if code == p.PLANE_B else "a"
            rows = totals.get(accum_id)
            if rows and side not in found:
                found[side] = rows[0]
        planes[study_id] = found.get("a", empty) + found.get("b", empty)
    peaks = dict(session.execute(
        select(SkinDoseMap.general_study_module_attr_id, SkinDoseMap.peak_skin_dose)
        .where(SkinDoseMap.general_study_module_attr_id.in_(list(ids)))).all())
    for study_id, study in studies.items():
        study.more = planes.get(study_id, empty + empty) + (peaks.get(study_id),)


def _plane_columns(plane):
    key = plane.lower()
    return (
        p.dap(f"{plane} DAP total (cGy·cm²)", f"more.{key}_dose_area_product_total"),
        c.number(f"{plane} Dose at RP total (Gy)", f"more.{key}_dose_rp_total"),
        p.dap(f"{plane} Fluoro DAP total (cGy·cm²)", f"more.{key}_fluoro_dose_area_product_total"),
        c.number(f"{plane} Fluoro dose at RP total (Gy)", f"more.{key}_fluoro_dose_rp_total"),
        c.number(f"{plane} Fluoro time total (s)", f"more.{key}_total_fluoro_time"),
        p.dap(f"{plane} Acquisition DAP total (cGy·cm²)",
              f"more.{key}_acquisition_dose_area_product_total"),
        c.number(f"{plane} Acquisition dose at RP total (Gy)", f"more.{key}_acquisition_dose_rp_total"),
        c.number(f"{plane} Acquisition time total (s)", f"more.{key}_total_acquisition_time"),
        c.number(f"{plane} Number of events", f"study.number_of_events_{key}"),
    )


STUDY_COLUMNS = (*_plane_columns("A"), *_plane_columns("B"),
                 c.number("Peak skin dose (Gy)", "more.peak_skin_dose"))

EVENT_COLUMNS = (
    c.datetime("Time", "row.date_time_started"),
    c.text("Type", "row.irradiation_event_type"),
    c.text("Protocol", "row.acquisition_protocol"),
    c.text("Plane", "derived.plane"),
    c.text("Fluoro mode", "source.fluoro_mode"),
    c.number("Field size (mm)", "source.ii_field_size"),
    c.text("Filter material", "derived.filters"),
    c.number("Mean filter thickness (mm)", "derived.mean_filter_thickness"),
    c.number("kVp (kV)", "derived.kvp"),
    c.number("mA (mA)", "derived.tube_current"),
    c.number("Pulse width (ms)", "derived.pulse_width"),
    c.number("Pulse rate (pulse/s)", "source.pulse_rate"),
    c.number("Number of pulses", "source.number_of_pulses"),
    c.number("Exposure time (ms)", "source.exposure_time"),
    c.number("Irradiation duration (s)", "source.irradiation_duration"),
    p.dap(),
    c.number("Dose at RP (Gy)", "source.dose_rp"),
    c.number("Primary angle (°)", "mechanical.positioner_primary_angle"),
    c.number("Secondary angle (°)", "mechanical.positioner_secondary_angle"),
)

_at = p.EVENT_SHAPE.position
_KEY = tuple(_at(name) for name in (
    "row.irradiation_event_type", "row.acquisition_protocol", "derived.plane",
    "source.ii_field_size", "source.pulse_rate", "derived.filters",
    "derived.mean_filter_thickness"))
_PRIMARY, _SECONDARY = _at("mechanical.positioner_primary_angle"), _at(
    "mechanical.positioner_secondary_angle")
_RANGES = {"kvp": _at("derived.kvp"), "ma": _at("derived.tube_current"),
           "pulse_width": _at("derived.pulse_width"), "exposure_time": _at("source.exposure_time"),
           "dap": _at("row.dose_area_product"), "dose_rp": _at("source.dose_rp"),
           "primary": _PRIMARY, "secondary": _SECONDARY}
GROUP_SHAPE = Shape(group=(
    "type", "protocol", "plane", "field_size", "pulse_rate", "filters", "filter_thickness",
    "exposures", *(f"{name}_{stat}" for name in _RANGES for stat in ("min", "max", "mean"))))


def _near(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= ANGLE_RANGE


def exposure_groups(study) -> list[tuple]:
    """The study's exposures grouped (see module docstring), in order of first exposure."""
    groups = []  # (key, first event, members)
    for event in study.events:
        key = tuple(event[i] for i in _KEY)
        for group_key, first, members in groups:
            if (group_key == key and _near(first[_PRIMARY], event[_PRIMARY])
                    and _near(first[_SECONDARY], event[_SECONDARY])):
                members.append(event)
                break
        else:
            groups.append((key, event, [event]))
    out = []
    for key, _first, members in groups:
        stats = []
        for position in _RANGES.values():
            stats += c.value_range([m[position] for m in members])
        out.append(key + (len(members),) + tuple(stats))
    return out


def _range_columns(name, header, unit_suffix="", unit=None):
    return tuple(c.number(f"{header} {stat}{unit_suffix}", f"group.{name}_{stat}", unit)
                 for stat in ("min", "max", "mean"))


GROUP_COLUMNS = (
    c.text("Type", "group.type"),
    c.text("Protocol", "group.protocol"),
    c.number("Number of exposures", "group.exposures"),
    c.text("Plane", "group.plane"),
    c.number("Pulse rate (pulse/s)", "group.pulse_rate"),
    c.number("Field size (mm)", "group.field_size"),
    c.text("Filter material", "group.filters"),
    c.number("Mean filter thickness (mm)", "group.filter_thickness"),
    *_range_columns("kvp", "kVp", " (kV)"),
    *_range_columns("ma", "mA", " (mA)"),
    *_range_columns("pulse_width", "Pulse width", " (ms)"),
    *_range_columns("exposure_time", "Exposure time", " (ms)"),
    *_range_columns("dap", "DAP", " (cGy·cm²)", c.GY_M2_TO_CGY_CM2),
    *_range_columns("dose_rp", "Dose at RP", " (Gy)"),
    *_range_columns("primary", "Primary angle", " (°)"),
    *_range_columns("secondary", "Secondary angle", " (°)"),
)
GROUP_BLOCK = Block("G{n}", exposure_groups, GROUP_SHAPE, GROUP_COLUMNS)
PROTOCOL = _at("row.acquisition_protocol")


def block_counts(session, query):
    """Exposure groups per study, at most: the number of G blocks in the xlsx.

    The groups are formed here, not in the database (angles within 5° of a group's first
    exposure, filters derived from their rows), so no aggregate query gives their number:
    one pass over the studies counts them before the workbook's header is written.
    """
    most = 0
    for batch in study_batches(session, query, EXPORT):
        for study in batch:
            most = max(most, len(exposure_groups(study)))
    return [most]


EXPORT = ModalityExport(
    key="rf",
    title="Fluoroscopy",
    load=load,
    study_shape=STUDY_SHAPE,
    event_shape=p.EVENT_SHAPE,
    study_columns=STUDY_COLUMNS,
    event_columns=EVENT_COLUMNS,
    events=lambda study: study.events,
    protocol=lambda event: event[PROTOCOL],
    xlsx_blocks=(GROUP_BLOCK,),
    block_counts=block_counts,
    physician=True,
)
