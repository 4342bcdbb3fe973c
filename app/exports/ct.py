"""CT export (TID 10011): one row per study, each irradiation event to the right."""
from ..models.ct import CtIrradiationEventData, CtRadiationDose
from . import columns as c
from .columns import Block
from .common import ModalityExport
from .loading import BatchQuery, ChildQuery, RootQuery, Shape, max_events, select_fields
from .loading import study_shape

EVENTS = (CtRadiationDose.ctirradiationeventdata_set,)
EVENT_QUERY = BatchQuery(select_fields(
    CtIrradiationEventData,
    ("id", "acquisition_protocol", "ct_acquisition_type", "exposure_time",
     "nominal_single_collimation_width", "nominal_total_collimation_width", "pitch_factor",
     "number_of_xray_sources", "mean_ctdivol", "ctdiw_phantom_type", "dlp",
     "xray_modulation_type", "comment", "ssde", "ssde_method", "ssde_diameter"),
    path=EVENTS, keys=(CtRadiationDose.general_study_module_attr_id.label("study_id"),),
).order_by(CtIrradiationEventData.id), CtRadiationDose.general_study_module_attr_id)
EVENT_FIELDS = EVENT_QUERY.fields[1:]
ROOTS = RootQuery(CtRadiationDose, ("id", "comment"))
SOURCES = ChildQuery(CtIrradiationEventData.ctxraysourceparameters_set, (
    "identification_of_the_xray_source", "kvp", "maximum_xray_tube_current",
    "xray_tube_current", "exposure_time_per_rotation"))
LENGTHS = ChildQuery(CtIrradiationEventData.scanninglength_set, (
    "scanning_length", "top_z_location_of_scanning_length",
    "bottom_z_location_of_scanning_length"))
CHECKS = ChildQuery(CtIrradiationEventData.ctdosecheckdetails_set, (
    "dlp_alert_value_configured", "ctdivol_alert_value_configured", "dlp_alert_value",
    "ctdivol_alert_value", "accumulated_dlp_forward_estimate",
    "accumulated_ctdivol_forward_estimate", "alert_reason_for_proceeding",
    "dlp_notification_value_configured", "ctdivol_notification_value_configured",
    "dlp_notification_value", "ctdivol_notification_value", "dlp_forward_estimate",
    "ctdivol_forward_estimate", "notification_reason_for_proceeding"))

# An event: its row, first and second X-ray source, first scanning length, and the values
# worked out from several fields.
EVENT_SHAPE = Shape(row=EVENT_FIELDS, s1=SOURCES.fields, s2=SOURCES.fields,
                    length=LENGTHS.fields, derived=("phantom", "dose_check"))
STUDY_SHAPE = study_shape(root_fields=ROOTS.fields)
NO_SOURCE = EVENT_SHAPE.empty("s1")
NO_LENGTH = EVENT_SHAPE.empty("length")

# CTDI phantoms (CID 4052) by the diameter users know them by.
PHANTOMS = {"113691": "32 cm", "113690": "16 cm"}
CONSTANT_ANGLE = "113805"  # Constant Angle Acquisition: a localizer
# Positions in a result row, which has the study id in front of EVENT_FIELDS.
_PHANTOM_MEANING = 1 + EVENT_FIELDS.index("ctdiw_phantom_type")
_PHANTOM_CODE = 1 + EVENT_FIELDS.index("ctdiw_phantom_type_code")
PROTOCOL = EVENT_SHAPE.position("row.acquisition_protocol")
TYPE_CODE = EVENT_SHAPE.position("row.ct_acquisition_type_code")


def load(session, ids, studies):
    """Add each study's CT events (with sources, scanning length, dose check) and comment."""
    for study_id, root in ROOTS.first(session, ids).items():
        studies[study_id].root = root
    events = EVENT_QUERY.rows(session, ids)
    event_ids = [row[1] for row in events]
    sources = {event: (own[0] + own[1] if len(own) > 1 else own[0] + NO_SOURCE)
               for event, own in SOURCES.by_parent(session, event_ids).items()}
    lengths = LENGTHS.by_parent(session, event_ids)
    checks = CHECKS.by_parent(session, event_ids)
    no_sources, no_length = NO_SOURCE + NO_SOURCE, (NO_LENGTH,)
    for row in events:
        event_id = row[1]
        check = checks.get(event_id)
        studies[row[0]].events.append(
            row[1:] + sources.get(event_id, no_sources) + lengths.get(event_id, no_length)[0]
            + (PHANTOMS.get(row[_PHANTOM_CODE], row[_PHANTOM_MEANING]),
               dose_check(check[0][1:]) if check else None))


def dose_check(check: tuple) -> str | None:
    """The TID 10015 dose check details as one sentence per alert and notification."""
    (dlp_alert_on, ctdi_alert_on, dlp_alert, ctdi_alert, accumulated_dlp, accumulated_ctdi,
     alert_reason, dlp_note_on, ctdi_note_on, dlp_note, ctdi_note, dlp_estimate, ctdi_estimate,
     note_reason) = check
    parts = (
        _check_part("Alert", dlp_alert_on, dlp_alert, ctdi_alert_on, ctdi_alert,
                    accumulated_dlp, accumulated_ctdi, alert_reason, "accumulated "),
        _check_part("Notification", dlp_note_on, dlp_note, ctdi_note_on, ctdi_note,
                    dlp_estimate, ctdi_estimate, note_reason, ""),
    )
    return " ".join(part for part in parts if part) or None


def _check_part(kind, dlp_on, dlp, ctdi_on, ctdi, dlp_estimate, ctdi_estimate, reason, prefix):
    facts = []
    if dlp_on or dlp is not None:
        facts.append(f"DLP {kind.lower()} value {_g(dlp)} mGy·cm")
    if ctdi_on or ctdi is not None:
        facts.append(f"CTDIvol {kind.lower()} value {_g(ctdi)} mGy")
    if dlp_estimate is not None:
        facts.append(f"{prefix}DLP forward estimate {_g(dlp_estimate)} mGy·cm")
    if ctdi_estimate is not None:
        facts.append(f"{prefix}CTDIvol forward estimate {_g(ctdi_estimate)} mGy")
    if reason:
        facts.append(f"reason for proceeding: {reason}")
    return f"{kind}: " + "; ".join(facts) + "." if facts else None


def _g(value):
    return "not given" if value is None else f"{value:g}"


def _source_columns(n):
    s = f"s{n}"
    return (
        c.text(f"S{n} name", f"{s}.identification_of_the_xray_source"),
        c.number(f"S{n} kVp (kV)", f"{s}.kvp"),
        c.number(f"S{n} maximum tube current (mA)", f"{s}.maximum_xray_tube_current"),
        c.number(f"S{n} tube current (mA)", f"{s}.xray_tube_current"),
        c.number(f"S{n} exposure time per rotation (s)", f"{s}.exposure_time_per_rotation"),
    )


EVENT_COLUMNS = (
    c.text("Protocol", "row.acquisition_protocol"),
    c.text("Type", "row.ct_acquisition_type"),
    c.number("Exposure time (s)", "row.exposure_time"),
    c.number("Scanning length (mm)", "length.scanning_length"),
    c.number("Slice thickness (mm)", "row.nominal_single_collimation_width"),
    c.number("Total collimation (mm)", "row.nominal_total_collimation_width"),
    c.number("Pitch factor", "row.pitch_factor"),
    c.number("Number of sources", "row.number_of_xray_sources"),
    c.number("CTDIvol (mGy)", "row.mean_ctdivol"),
    c.text("Phantom", "derived.phantom"),
    c.number("DLP (mGy·cm)", "row.dlp"),
    c.number("SSDE (mGy)", "row.ssde"),
    c.text("SSDE size from", "row.ssde_method"),
    c.number("SSDE diameter (mm)", "row.ssde_diameter"),
    *_source_columns(1),
    *_source_columns(2),
    c.text("Tube current modulation", "row.xray_modulation_type"),
    c.text("Dose check details", "derived.dose_check"),
    c.text("Comment", "row.comment"),
)

EVENT_BLOCK = Block("E{n}", lambda study: study.events, EVENT_SHAPE, EVENT_COLUMNS)


def block_counts(session, query):
    """Events per study, at most: the number of E blocks in the csv."""
    return [max_events(session, query)]


EXPORT = ModalityExport(
    key="ct",
    title="CT",
    load=load,
    study_shape=STUDY_SHAPE,
    event_shape=EVENT_SHAPE,
    study_columns=(c.number("Total DLP (mGy·cm)", "study.total_dlp"),),
    event_columns=EVENT_COLUMNS,
    events=lambda study: study.events,
    protocol=lambda event: event[PROTOCOL],
    csv_blocks=(EVENT_BLOCK,),
    xlsx_blocks=(EVENT_BLOCK,),
    block_counts=block_counts,
)
