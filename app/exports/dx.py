"""Radiography export (DX, CR, PX; TID 10001 and image headers): one row per study, each
exposure to the right."""
from . import columns as c
from . import projection as p
from .columns import Block
from .common import ModalityExport
from .loading import study_shape

STUDY_SHAPE = study_shape(root_fields=p.ROOTS.fields)

EVENT_COLUMNS = (
    c.text("Protocol", "row.acquisition_protocol"),
    c.text("Anatomy", "row.anatomical_structure"),
    c.text("Laterality", "row.laterality"),
    c.text("Image view", "row.image_view"),
    c.text("View modifier", "derived.view_modifiers"),
    c.text("Exposure control mode", "source.exposure_control_mode"),
    c.number("kVp (kV)", "derived.kvp"),
    c.number("mAs (mAs)", "derived.mas"),
    c.number("mA (mA)", "derived.tube_current"),
    c.number("Exposure time (ms)", "source.exposure_time"),
    c.text("Filters", "derived.filters"),
    c.text("Filter thicknesses (mm)", "derived.filter_thicknesses"),
    c.text("Grid", "derived.grids"),
    c.number("Exposure index", "detector.exposure_index"),
    c.number("Target exposure index", "detector.target_exposure_index"),
    c.number("Deviation index", "detector.deviation_index"),
    c.number("Relative x-ray exposure", "detector.relative_xray_exposure"),
    p.dap(),
    c.number("Entrance exposure at RP (mGy)", "row.entrance_exposure_at_rp"),
    c.number("Source to detector distance (mm)", "distances.distance_source_to_detector"),
    c.number("Source to entrance surface distance (mm)",
             "distances.distance_source_to_entrance_surface"),
    c.number("Source to isocentre distance (mm)", "distances.distance_source_to_isocenter"),
    c.number("Table height (mm)", "distances.table_height_position"),
    c.text("Comment", "row.comment"),
)
PROTOCOL = p.EVENT_SHAPE.position("row.acquisition_protocol")
EVENT_BLOCK = Block("E{n}", lambda study: study.events, p.EVENT_SHAPE, EVENT_COLUMNS)

EXPORT = ModalityExport(
    key="dx",
    title="Radiography",
    load=p.load,
    study_shape=STUDY_SHAPE,
    event_shape=p.EVENT_SHAPE,
    study_columns=(p.STUDY_TOTAL_DAP,),
    event_columns=EVENT_COLUMNS,
    events=lambda study: study.events,
    protocol=lambda event: event[PROTOCOL],
    csv_blocks=(EVENT_BLOCK,),
    xlsx_blocks=(EVENT_BLOCK,),
    block_counts=p.block_counts,
)
