"""Mammography export (TID 10001 and image headers): the csv has one row per exposure, the
xlsx one row per study with its exposures to the right.

Per-pulse tomosynthesis events (several kVp, tube current and pulse width values) export like
any other: the mean of the values and the sum of the exposures (docs/exports.md).
"""
from . import columns as c
from . import projection as p
from .columns import Block
from .common import ModalityExport
from .loading import study_shape

STUDY_SHAPE = study_shape(root_fields=p.ROOTS.fields)

STUDY_COLUMNS = (
    c.number("Total AGD left (mGy)", "study.total_agd_left"),
    c.number("Total AGD right (mGy)", "study.total_agd_right"),
    c.number("Total AGD both (mGy)", "study.total_agd_both"),
)
EVENT_COLUMNS = (
    c.text("View", "row.image_view"),
    c.text("View modifier", "derived.view_modifiers"),
    c.text("Laterality", "row.laterality"),
    c.text("Protocol", "row.acquisition_protocol"),
    c.text("Event type", "row.irradiation_event_type"),
    c.number("Compressed breast thickness (mm)", "mechanical.compression_thickness"),
    c.number("Radiological thickness (mm)", "distances.radiological_thickness"),
    c.number("Compression force (N)", "mechanical.compression_force"),
    c.number("Magnification factor", "mechanical.magnification_factor"),
    c.number("Field area (cm²)", "source.collimated_field_area", c.M2_TO_CM2),
    c.text("Exposure control mode", "source.exposure_control_mode"),
    c.text("Target", "derived.target"),
    c.text("Filter", "derived.filters"),
    c.text("Filter thickness (mm)", "derived.filter_thicknesses"),
    c.number("Focal spot size (mm)", "source.focal_spot_size"),
    c.number("kVp (kV)", "derived.kvp"),
    c.number("mA (mA)", "derived.tube_current"),
    c.number("Exposure time (ms)", "source.exposure_time"),
    c.number("mAs (mAs)", "derived.mas"),
    c.number("Number of pulses", "source.number_of_pulses"),
    c.number("Per-pulse values", "derived.pulse_values"),
    c.number("Entrance exposure at RP (mGy)", "row.entrance_exposure_at_rp"),
    c.number("AGD (mGy)", "source.average_glandular_dose"),
    c.number("Fibroglandular tissue (%)", "row.percent_fibroglandular_tissue"),
    c.text("Exposure mode description", "row.comment"),
)
PROTOCOL = p.EVENT_SHAPE.position("row.acquisition_protocol")
EVENT_BLOCK = Block("E{n}", lambda study: study.events, p.EVENT_SHAPE, EVENT_COLUMNS)

EXPORT = ModalityExport(
    key="mg",
    title="Mammography",
    load=p.load,
    study_shape=STUDY_SHAPE,
    event_shape=p.EVENT_SHAPE,
    study_columns=STUDY_COLUMNS,
    event_columns=EVENT_COLUMNS,
    events=lambda study: study.events,
    protocol=lambda event: event[PROTOCOL],
    csv_per_event=True,
    xlsx_blocks=(EVENT_BLOCK,),
    block_counts=p.block_counts,
)
