"""What the study detail pages show, as field definitions the shared macros draw.

A ``Field`` names a table column or list entry with its unit and says how to read it from a
row; values are converted to the unit shown here, never in the template. The per-modality
tuples below are the event tables of the detail pages (OpenREM's per-modality detail pages
are the reference for which fields appear), and the ``*_context`` functions compute the
summaries a modality's page shows above them.
"""
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import select

from ..extensions import db
from .filtering import CGYCM2_PER_GYM2

# Code values (CID 10003 acquisition plane, CID 10002 event type) the summaries group by.
PLANE_B = "113621"
FLUOROSCOPY = "P5-06000"
FLUOROSCOPY_SCT = "44491008"


@dataclass(frozen=True)
class Field:
    """A value shown on a detail page: label, unit (None for text or counts) and reader.

    ``places`` is the number of decimals; None shows the number as stored (or text as is).
    """

    label: str
    unit: str | None
    value: Callable[[Any], Any]
    places: int | None = None

    @property
    def numeric(self) -> bool:
        """Whether the column holds numbers (right-aligned)."""
        return self.unit is not None or self.places is not None


# --- Reading rows -----------------------------------------------------------------------

def first(rows):
    """The first row of a collection, or None."""
    return rows[0] if rows else None


def meaning(code) -> str | None:
    """A coded value as people read it: its meaning, else its code value."""
    if code is None:
        return None
    return code.code_meaning or code.code_value


def scaled(value, factor):
    """``value × factor``, keeping None."""
    return None if value is None else value * factor


def mean(rows, name):
    """The mean of a field over rows (per-pulse kVp, mA...), or None when none has it."""
    values = [getattr(row, name) for row in rows if getattr(row, name) is not None]
    return sum(values) / len(values) if values else None


def joined(values) -> str | None:
    """Distinct non-empty texts joined with "; "."""
    shown = [str(value) for value in values if value not in (None, "")]
    return "; ".join(dict.fromkeys(shown)) or None


def time_of(moment) -> str | None:
    """The time of a date-time as HH:MM:SS."""
    return moment.strftime("%H:%M:%S") if moment is not None else None


def timestamp(moment) -> str | None:
    """A date-time as YYYY-MM-DD HH:MM:SS."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else None


def _number(value) -> str:
    return f"{value:g}"


# --- Projection events (fluoroscopy, radiography, mammography) ------------------------

def projection_events(study) -> list:
    """Every irradiation event of the study's projection dose reports, in stored order."""
    return [event for dose in study.projectionxrayradiationdose_set
            for event in dose.irradeventxraydata_set]


def source(event):
    """The event's X-ray source data (TID 10003b), or None."""
    return first(event.irradeventxraysourcedata_set)


def mechanics(event):
    """The event's mechanical data (TID 10003c), or None."""
    return first(event.irradeventxraymechanicaldata_set)


def detector(event):
    """The event's detector data (TID 10003a), or None."""
    return first(event.irradeventxraydetectordata_set)


def distances(event):
    """The event's dose-related distance measurements, or None."""
    found = mechanics(event)
    return first(found.doserelateddistancemeasurements_set) if found is not None else None


def _from(part, name, factor=None):
    """A reader of ``part(event).name``, optionally scaled."""
    def read(event):
        row = part(event)
        value = getattr(row, name) if row is not None else None
        return scaled(value, factor) if factor is not None else value
    return read


def kvp(event):
    """The event's kVp (the mean when one value per pulse was sent), in kV."""
    found = source(event)
    return mean(found.kvp_set, "kvp") if found is not None else None


def tube_current(event):
    """Tube current in mA: the mean of the values sent, else the average tube current."""
    found = source(event)
    if found is None:
        return None
    return mean(found.xraytubecurrent_set, "xray_tube_current") or found.average_xray_tube_current


def exposure_mas(event):
    """Exposure in mAs (stored in µA·s)."""
    found = source(event)
    return scaled(mean(found.exposure_set, "exposure"), 1e-3) if found is not None else None


def pulse_width(event):
    """Pulse width in ms (the mean over pulses)."""
    found = source(event)
    return mean(found.pulsewidth_set, "pulse_width") if found is not None else None


def filters(event) -> str | None:
    """The filters as "Copper 0.1; Aluminum 1" (thickness in mm, a range when it varies)."""
    found = source(event)
    if found is None:
        return None
    shown = []
    for row in found.xrayfilters_set:
        name = material(row.xray_filter_material) or meaning(row.xray_filter_type) or ""
        low, high = row.xray_filter_thickness_minimum, row.xray_filter_thickness_maximum
        if low is None and high is None:
            thickness = ""
        elif low is None or high is None or low == high:
            thickness = _number(low if low is not None else high)
        else:
            thickness = f"{_number(low)}–{_number(high)}"
        shown.append(f"{name} {thickness}".strip())
    return "; ".join(shown) or None


def material(code) -> str | None:
    """A material's name without "or ... compound": "Copper or Copper compound" -> "Copper"."""
    name = meaning(code)
    return name.split(" or ")[0] if name else None


def plane(event) -> str | None:
    """The acquisition plane: A, B or Single."""
    code = event.acquisition_plane
    if code is None:
        return None
    return {"113620": "A", "113621": "B", "113622": "Single"}.get(code.code_value, meaning(code))


def orientation(event) -> str | None:
    """Patient-table relationship, orientation and its modifier, coded or as text."""
    parts = (meaning(event.patient_table_relationship_cid) or event.patient_table_relationship,
             meaning(event.patient_orientation_cid) or event.patient_orientation,
             meaning(event.patient_orientation_modifier_cid) or event.patient_orientation_modifier)
    return joined(parts)


def view_modifiers(event) -> str | None:
    """The image view modifiers of an event."""
    return joined(meaning(row.image_view_modifier) for row in event.imageviewmodifier_set)


def _event_time(event):
    return time_of(event.date_time_started)


def _grid(event):
    found = source(event)
    return joined(meaning(row.xray_grid) for row in found.xraygrid_set) if found else None


RF_EVENT_FIELDS = (
    Field("Time", None, _event_time),
    Field("Acquisition protocol", None, lambda e: e.acquisition_protocol),
    Field("Event type", None, lambda e: meaning(e.irradiation_event_type)),
    Field("Plane", None, plane),
    Field("Pulse rate", "pulse/s", _from(source, "pulse_rate"), 1),
    Field("Pulses", None, _from(source, "number_of_pulses"), 0),
    Field("Pulse width", "ms", pulse_width, 1),
    Field("DAP", "cGy·cm²", lambda e: scaled(e.dose_area_product, CGYCM2_PER_GYM2), 2),
    Field("Dose at RP", "mGy", _from(source, "dose_rp", 1e3)),
    Field("Duration", "ms", _from(source, "irradiation_duration", 1e3), 0),
    Field("Exposure time", "ms", _from(source, "exposure_time"), 1),
    Field("kVp", "kV", kvp, 1),
    Field("Tube current", "mA", tube_current, 1),
    Field("Filters", "mm", filters),
    Field("Primary angle", "°", _from(mechanics, "positioner_primary_angle"), 1),
    Field("Secondary angle", "°", _from(mechanics, "positioner_secondary_angle"), 1),
    Field("Field size", "mm", _from(source, "ii_field_size"), 0),
    Field("Source to detector", "mm", _from(distances, "distance_source_to_detector"), 0),
    Field("Orientation", None, orientation),
)

DX_EVENT_FIELDS = (
    Field("Time", None, _event_time),
    Field("Acquisition protocol", None, lambda e: e.acquisition_protocol),
    Field("Anatomy", None, lambda e: meaning(e.anatomical_structure)),
    Field("Laterality", None, lambda e: meaning(e.laterality)),
    Field("Target region", None, lambda e: meaning(e.target_region)),
    Field("View", None, lambda e: meaning(e.image_view)),
    Field("kVp", "kV", kvp, 1),
    Field("Exposure", "mAs", exposure_mas, 2),
    Field("Tube current", "mA", tube_current, 1),
    Field("Exposure time", "ms", _from(source, "exposure_time"), 1),
    Field("Filters", "mm", filters),
    Field("Source to detector", "mm", _from(distances, "distance_source_to_detector"), 0),
    Field("Grid focal distance", "mm", _from(source, "grid_focal_distance"), 0),
    Field("Grid", None, _grid),
    Field("Exposure index (IEC)", None, _from(detector, "exposure_index"), 1),
    Field("Target exposure index", None, _from(detector, "target_exposure_index"), 1),
    Field("Deviation index", None, _from(detector, "deviation_index"), 2),
    Field("Exposure index (vendor)", None, _from(detector, "relative_xray_exposure"), 1),
    Field("DAP", "cGy·cm²", lambda e: scaled(e.dose_area_product, CGYCM2_PER_GYM2), 3),
    Field("Entrance exposure at RP", "mGy", lambda e: e.entrance_exposure_at_rp, 3),
    Field("Exposure control mode", None, _from(source, "exposure_control_mode")),
    Field("Comment", None, lambda e: e.comment),
)

MG_EVENT_FIELDS = (
    Field("Time", None, _event_time),
    Field("Acquisition protocol", None, lambda e: e.acquisition_protocol),
    Field("Laterality", None, lambda e: meaning(e.laterality)),
    Field("View", None, lambda e: meaning(e.image_view)),
    Field("View modifier", None, view_modifiers),
    Field("Compression thickness", "mm", _from(mechanics, "compression_thickness"), 1),
    Field("Compression force", "N", _from(mechanics, "compression_force"), 1),
    Field("Target", None, lambda e: material(source(e).anode_target_material) if source(e) else None),
    Field("Filter", "mm", filters),
    Field("kVp", "kV", kvp, 1),
    Field("Tube current", "mA", tube_current, 1),
    Field("Exposure time", "ms", _from(source, "exposure_time"), 1),
    Field("Exposure", "mAs", exposure_mas, 1),
    Field("Entrance exposure at RP", "mGy", lambda e: e.entrance_exposure_at_rp, 3),
    Field("AGD", "mGy", _from(source, "average_glandular_dose"), 3),
    Field("Exposure control mode", None, _from(source, "exposure_control_mode")),
    Field("Comment", None, lambda e: e.comment),
)


@dataclass
class Totals:
    """Sums over a group of projection events (one event type in one plane)."""

    label: str
    count: int = 0
    dap: float | None = None  # cGy·cm²
    dose_rp: float | None = None  # Gy
    duration: float | None = None  # s

    def add(self, event):
        """Count an event and add its DAP, dose at RP and duration."""
        self.count += 1
        found = source(event)
        self.dap = _plus(self.dap, scaled(event.dose_area_product, CGYCM2_PER_GYM2))
        if found is not None:
            self.dose_rp = _plus(self.dose_rp, found.dose_rp)
            duration = found.irradiation_duration
            if duration is None and found.exposure_time is not None:
                duration = found.exposure_time / 1e3
            self.duration = _plus(self.duration, duration)


def _plus(total, value):
    if value is None:
        return total
    return value if total is None else total + value


def _is_fluoroscopy(event) -> bool:
    code = event.irradiation_event_type
    return code is not None and code.code_value in (FLUOROSCOPY, FLUOROSCOPY_SCT)


def event_summary(events) -> list[tuple[str, list[Totals]]]:
    """Per plane: totals per event type, all acquisitions together, and the plane total."""
    by_plane = OrderedDict()
    for event in events:
        label = "Plane B" if plane(event) == "B" else "Plane A" if plane(event) == "A" else \
            "Single plane" if plane(event) == "Single" else "Plane not stated"
        by_plane.setdefault(label, []).append(event)
    summary = []
    for label, plane_events in by_plane.items():
        groups = OrderedDict()
        acquisitions = Totals("All acquisitions")
        total = Totals("Total")
        for event in plane_events:
            kind = meaning(event.irradiation_event_type) or "Type not stated"
            groups.setdefault(kind, Totals(kind)).add(event)
            if not _is_fluoroscopy(event):
                acquisitions.add(event)
            total.add(event)
        rows = list(groups.values())
        acquisition_kinds = [row for row in rows if row.label != "Fluoroscopy"]
        if len(acquisition_kinds) > 1:
            rows.append(acquisitions)
        rows.append(total)
        summary.append((label, rows))
    return summary


def accumulated_planes(study) -> list[dict]:
    """The accumulated totals each plane reported, in display units, one row per plane.

    Fluoroscopy totals come from TID 10004; the overall DAP, dose at RP and frame count from
    TID 10004 or, where it left them out, from TID 10007.
    """
    shown = []
    for dose in study.projectionxrayradiationdose_set:
        for accumulated in dose.accumxraydose_set:
            projection = first(accumulated.accumprojxraydose_set)
            integrated = first(accumulated.accumintegratedprojradiogdose_set)
            if projection is None and integrated is None:
                continue

            def either(name):
                value = getattr(projection, name, None) if projection is not None else None
                if value is None and integrated is not None:
                    value = getattr(integrated, name, None)
                return value

            shown.append({
                "plane": meaning(accumulated.acquisition_plane) or "Plane not stated",
                "fluoro_dap": scaled(getattr(projection, "fluoro_dose_area_product_total", None),
                                     CGYCM2_PER_GYM2),
                "fluoro_dose_rp": getattr(projection, "fluoro_dose_rp_total", None),
                "fluoro_time": getattr(projection, "total_fluoro_time", None),
                "acquisition_dap": scaled(
                    getattr(projection, "acquisition_dose_area_product_total", None),
                    CGYCM2_PER_GYM2),
                "acquisition_dose_rp": getattr(projection, "acquisition_dose_rp_total", None),
                "acquisition_time": getattr(projection, "total_acquisition_time", None),
                "dap": scaled(either("dose_area_product_total"), CGYCM2_PER_GYM2),
                "dose_rp": either("dose_rp_total"),
                "frames": either("total_number_of_radiographic_frames"),
            })
    return shown


def fluoroscopy_context(study, settings) -> dict:
    """Events, their summary per plane and type, the reported totals and the alert levels."""
    events = projection_events(study)
    dap_level = settings["RF_ALERT_DAP_CGYCM2"]
    rp_level = settings["RF_ALERT_RP_GY"]
    return {
        "events": events,
        "event_fields": RF_EVENT_FIELDS,
        "summary": event_summary(events),
        "accumulated": accumulated_planes(study),
        "dap_level": dap_level,
        "rp_level": rp_level,
        "skin_dose": skin_dose_map(study.id),
    }


def skin_dose_map(study_id):
    """The study's stored skin dose map row (app/skindose), or None."""
    from ..models.skindose import SkinDoseMap

    return db.session.scalars(select(SkinDoseMap).where(
        SkinDoseMap.general_study_module_attr_id == study_id)).first()


def radiography_context(study, settings) -> dict:
    """Events (with a plane column when the study used two planes) and reported totals."""
    events = projection_events(study)
    fields = DX_EVENT_FIELDS
    if any(plane(event) == "B" for event in events):
        fields = fields[:2] + (Field("Plane", None, plane),) + fields[2:]
    return {"events": events, "event_fields": fields, "accumulated": accumulated_planes(study)}


def mammography_context(study, settings) -> dict:
    """Events and the accumulated AGD each breast received."""
    agd = [(meaning(row.laterality) or "Laterality not stated",
            row.accumulated_average_glandular_dose)
           for dose in study.projectionxrayradiationdose_set
           for accumulated in dose.accumxraydose_set
           for row in accumulated.accummammographyxraydose_set]
    return {"events": projection_events(study), "event_fields": MG_EVENT_FIELDS,
            "accumulated_agd": agd}


# --- CT ---------------------------------------------------------------------------------

def _phantom(event) -> str | None:
    name = meaning(event.ctdiw_phantom_type)
    if not name:
        return None
    for short in ("Body", "Head"):
        if short.lower() in name.lower():
            return short
    return name


def ctdivol(event) -> str | None:
    """CTDIvol in mGy with the phantom it refers to, e.g. "5.30 (Body)"."""
    if event.mean_ctdivol is None:
        return None
    phantom = _phantom(event)
    return f"{event.mean_ctdivol:.2f}" + (f" ({phantom})" if phantom else "")


def _scanning_length(event):
    row = first(event.scanninglength_set)
    return row.scanning_length if row is not None else None


#: Where Kerma's SSDE took the patient size from, as the event table says it.
SSDE_SIZE_SOURCES = {
    "water_equivalent_diameter": "Water eq. diameter",
    "effective_diameter": "Effective diameter",
    "ap_and_lateral": "AP × lateral",
    "localizer": "CT localizer (water eq. diameter)",
    "size_import_wed": "Size import: water eq. diameter",
    "size_import_ap_lateral": "Size import: AP × lateral",
}


def _ssde(event):
    row = first(event.sizespecificdoseestimation_set)
    return row.size_specific_dose_estimate if row is not None else None


#: The event-level columns of a CT event; the source columns repeat per X-ray source.
CT_EVENT_FIELDS = (
    Field("Acquisition protocol", None, lambda e: e.acquisition_protocol),
    Field("Type", None, lambda e: meaning(e.ct_acquisition_type)),
    Field("Target region", None, lambda e: meaning(e.target_region)),
    Field("CTDIvol (phantom)", "mGy", ctdivol),
    Field("DLP", "mGy·cm", lambda e: e.dlp, 2),
    Field("SSDE (reported)", "mGy", _ssde, 2),
    Field("SSDE (AAPM 204/220)", "mGy", lambda e: e.ssde, 2),
    Field("SSDE size from", None, lambda e: SSDE_SIZE_SOURCES.get(e.ssde_method)),
    Field("Scanning length", "mm", _scanning_length, 1),
    Field("Pitch", None, lambda e: e.pitch_factor, 3),
    Field("Exposure time", "s", lambda e: e.exposure_time, 2),
    Field("Slice collimation", "mm", lambda e: e.nominal_single_collimation_width, 2),
    Field("Total collimation", "mm", lambda e: e.nominal_total_collimation_width, 2),
    Field("X-ray modulation", None, lambda e: e.xray_modulation_type),
)
CT_SOURCE_FIELDS = (
    Field("Source", None, lambda s: s.identification_of_the_xray_source),
    Field("kVp", "kV", lambda s: s.kvp, 0),
    Field("Tube current", "mA", lambda s: s.xray_tube_current, 1),
    Field("Max tube current", "mA", lambda s: s.maximum_xray_tube_current, 1),
    Field("Rotation time", "s", lambda s: s.exposure_time_per_rotation, 3),
)


def ct_events(study) -> list:
    """Every CT irradiation event of the study, in stored order."""
    return [event for dose in study.ctradiationdose_set
            for event in dose.ctirradiationeventdata_set]


def dose_check_lines(check) -> list[str]:
    """A CT dose check (NEMA XR 25) as sentences: alert and notification values, reasons."""
    lines = []

    def configured(flag, value, unit, what):
        if flag or value is not None:
            return f"{what} {value:g} {unit}" if value is not None else f"{what} configured"
        return None

    alert = [part for part in (
        configured(check.dlp_alert_value_configured, check.dlp_alert_value, "mGy·cm",
                   "DLP alert value"),
        configured(check.ctdivol_alert_value_configured, check.ctdivol_alert_value, "mGy",
                   "CTDIvol alert value"),
        check.accumulated_dlp_forward_estimate is not None
        and f"accumulated DLP forward estimate {check.accumulated_dlp_forward_estimate:g} mGy·cm",
        check.accumulated_ctdivol_forward_estimate is not None
        and f"accumulated CTDIvol forward estimate "
            f"{check.accumulated_ctdivol_forward_estimate:g} mGy",
        check.alert_reason_for_proceeding
        and f"reason for proceeding: {check.alert_reason_for_proceeding}",
        check.tid1020_alert and "authorised by " + ", ".join(
            person.person_name or "(no name)" for person in check.tid1020_alert),
    ) if part]
    if alert:
        lines.append("Alert: " + "; ".join(alert) + ".")
    notification = [part for part in (
        configured(check.dlp_notification_value_configured, check.dlp_notification_value,
                   "mGy·cm", "DLP notification value"),
        configured(check.ctdivol_notification_value_configured,
                   check.ctdivol_notification_value, "mGy", "CTDIvol notification value"),
        check.dlp_forward_estimate is not None
        and f"DLP forward estimate {check.dlp_forward_estimate:g} mGy·cm",
        check.ctdivol_forward_estimate is not None
        and f"CTDIvol forward estimate {check.ctdivol_forward_estimate:g} mGy",
        check.notification_reason_for_proceeding
        and f"reason for proceeding: {check.notification_reason_for_proceeding}",
        check.tid1020_notification and "authorised by " + ", ".join(
            person.person_name or "(no name)" for person in check.tid1020_notification),
    ) if part]
    if notification:
        lines.append("Notification: " + "; ".join(notification) + ".")
    return lines


# --- NM -----------------------------------------------------------------------------------

def _agent(event):
    if event.radiopharmaceutical_agent is not None:
        return meaning(event.radiopharmaceutical_agent)
    return event.radiopharmaceutical_agent_string


NM_ADMINISTRATION_FIELDS = (
    Field("Radiopharmaceutical", None, _agent),
    Field("Radionuclide", None, lambda e: meaning(e.radionuclide)),
    Field("Half life", "s", lambda e: e.radionuclide_half_life, 1),
    Field("Administered activity", "MBq", lambda e: e.administered_activity, 2),
    Field("Effective dose", "mSv", lambda e: e.effective_dose, 3),
    Field("Start", None, lambda e: timestamp(e.radiopharmaceutical_start_datetime)),
    Field("Stop", None, lambda e: timestamp(e.radiopharmaceutical_stop_datetime)),
    Field("Route of administration", None, lambda e: meaning(e.route_of_administration)),
    Field("Site", None, lambda e: meaning(e.site_of)),
    Field("Laterality", None, lambda e: meaning(e.laterality)),
    Field("Volume", "cm³", lambda e: e.radiopharmaceutical_volume, 2),
    Field("Specific activity", "Bq/mol", lambda e: e.radiopharmaceutical_specific_activity),
    Field("Measured before administration", "MBq",
          lambda e: e.pre_administration_measured_activity, 2),
    Field("Measured after administration", "MBq",
          lambda e: e.post_administration_measured_activity, 2),
    Field("Estimated extravasation", "MBq", lambda e: e.estimated_extravasation_activity, 2),
    Field("Brand name", None, lambda e: e.brand_name),
    Field("Dispense unit identifier", None,
          lambda e: e.radiopharmaceutical_dispense_unit_identifier),
    Field("Prescription identifier", None, lambda e: e.prescription_identifier),
    Field("Administration event UID", None,
          lambda e: e.radiopharmaceutical_administration_event_uid),
    Field("Comment", None, lambda e: e.comment),
)

ORGAN_DOSE_FIELDS = (
    Field("Organ", None, lambda o: meaning(o.finding_site)),
    Field("Laterality", None, lambda o: meaning(o.laterality)),
    Field("Organ dose", "mGy", lambda o: o.organ_dose, 3),
    Field("Mass", "g", lambda o: o.mass, 1),
    Field("Measurement method", None, lambda o: o.measurement_method),
    Field("Reference authority", None,
          lambda o: meaning(o.reference_authority_code) or o.reference_authority_text),
)

PET_SERIES_FIELDS = (
    Field("Series date and time", None, lambda p: timestamp(p.series_datetime)),
    Field("Series type", None, lambda p: joined(t.series_type for t in p.petseriestype_set)),
    Field("Slices", None, lambda p: p.number_of_slices, 0),
    Field("Reconstruction method", None, lambda p: p.reconstruction_method),
    Field("Corrections", None,
          lambda p: joined(c.corrected_image for c in p.petseriescorrection_set)),
    Field("Coincidence window width", "ns", lambda p: p.coincidence_window_width, 2),
    Field("Energy window lower limit", "keV", lambda p: p.energy_window_lower_limit, 0),
    Field("Energy window upper limit", "keV", lambda p: p.energy_window_upper_limit, 0),
    Field("Scan progression direction", None, lambda p: p.scan_progression_direction),
    Field("R-R intervals", None, lambda p: p.number_of_rr_intervals, 0),
    Field("Time slots", None, lambda p: p.number_of_time_slots, 0),
    Field("Time slices", None, lambda p: p.number_of_time_slices, 0),
)


def _with(value, note):
    if value is None:
        return None
    return f"{value:g}" + (f" ({note})" if note else "")


PATIENT_CHARACTERISTICS_FIELDS = (
    Field("Age", "years", lambda c: c.subject_age, 1),
    Field("Sex", None, lambda c: meaning(c.subject_sex)),
    Field("Height", "m", lambda c: c.patient_height, 2),
    Field("Weight", "kg", lambda c: c.patient_weight, 1),
    Field("Body surface area (formula)", "m²",
          lambda c: _with(c.body_surface_area, meaning(c.body_surface_area_formula))),
    Field("Body mass index (equation)", "kg/m²",
          lambda c: _with(c.body_mass_index, meaning(c.equation))),
    Field("Glucose", "mmol/l", lambda c: c.glucose, 1),
    Field("Fasting duration", "h", lambda c: c.fasting_duration, 1),
    Field("Hydration volume", "ml", lambda c: c.hydration_volume, 0),
    Field("Recent physical activity", None, lambda c: c.recent_physical_activity),
    Field("Serum creatinine", "mg/dl", lambda c: c.serum_creatinine, 2),
    Field("Glomerular filtration rate (method)", "ml/min/1.73 m²",
          lambda c: joined(_with(g.glomerular_filtration_rate, meaning(g.measurement_method))
                           for g in c.glomerularfiltrationrate_set)),
    Field("Patient state", None,
          lambda c: joined(meaning(s.patient_state) for s in c.patientstate_set)),
)


def localizer_notes(study) -> list[str]:
    """Sentences about the study's CT localizers and the SSDE they give (docs/ssde.md)."""
    from ..ssde.sources import study_sizes

    sizes = study_sizes(study.study_instance_uid)
    notes = []
    if sizes.localizers:
        notes.append(f"{len(sizes.localizers)} CT localizer(s) with a calibrated device give "
                     "the water equivalent diameter for events whose report has no size.")
    if sizes.uncalibrated:
        notes.append(f"{sizes.uncalibrated} CT localizer(s) stored, but their device has no "
                     "localizer calibration: no SSDE from them until one is set "
                     "(Equipment → Localizer calibration, or flask ssde calibrate).")
    return notes
