"""National dose survey formats: PHE 2019 CT, PHE 2019 radiography (projection and study),
PHE 2019 interventional/fluoroscopy, and the NHSBSP mammography dose audit.

Each writes the survey's own columns and units (the PHE fluoroscopy form wants Gy·m², the
radiography forms cGy·cm²), whatever the general exports use; docs/exports.md lists the
columns and the assumptions made where the forms leave a choice.
"""
import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterator

from ..extensions import db
from . import columns as c
from . import ct, dx, mg, projection, rf
from .columns import DATE, NUMBER, TEXT
from .loading import max_children, study_batches
from .spreadsheet import Workbook

BOM = "\ufeff".encode("utf-8")


@dataclass(frozen=True)
class Survey:
    """One survey export: ``build(query, session, target)`` writes csv chunks or a workbook."""

    key: str
    modality: str
    title: str
    fmt: str
    description: str
    build: Callable

    def csv(self, query, session=None) -> Iterator[bytes]:
        """The survey as csv chunks (csv surveys only)."""
        return self.build(query, session or db.session)

    def xlsx(self, query, path, session=None):
        """Write the survey workbook to ``path`` (xlsx surveys only)."""
        workbook = Workbook(path)
        try:
            self.build(query, session or db.session, workbook)
            workbook.close()
        except BaseException:
            workbook.discard()
            raise


def _study(shape, name):
    position = shape.position(name)
    return lambda study: study.values[position]


def _height_cm(value):
    return c.rescale(value, c.M_TO_CM)


def _protocol_name(study, get, event_protocols=None):
    """"procedure | requested | study description[ | acquisition protocols]", as PHE asks;
    an absent part stays empty, so each keeps its place."""
    parts = [get["procedure"](study), get["requested"](study), get["description"](study)]
    if event_protocols is not None:
        parts.append(c.joined(event_protocols, ", "))
    return " | ".join(part or "" for part in parts)


# --- PHE 2019 CT ---------------------------------------------------------------------------

CT_SERIES_HEADERS = ("Imaged length", "Start position", "End position", "kV", "CTDI phantom",
                     "Scan FOV (mm)", "CTDIvol (mGy)*", "DLP (mGy.cm)*")
CT_SERIES_KINDS = (NUMBER, NUMBER, NUMBER, TEXT, TEXT, NUMBER, NUMBER, NUMBER)
CT_FIRST_SERIES = 4
CT_SERIES_IN_FORM = 4
# Series five onwards continue after the comments column and two empty columns (AM, AN).
CT_MORE_SERIES = CT_FIRST_SERIES + CT_SERIES_IN_FORM * len(CT_SERIES_HEADERS) + 2 + 2


def phe_ct(query, session, workbook):
    """PHE 2019 CT survey: one row per study, up to four series per form row (localisers
    left out), more series to the right."""
    sheet = workbook.add_sheet("PHE CT 2019")
    shape, event_shape = ct.STUDY_SHAPE, ct.EVENT_SHAPE
    headers = ["Patient No", "Age (yrs)", "Weight (kg)", "Height (cm)"]
    headers += list(CT_SERIES_HEADERS) * CT_SERIES_IN_FORM
    headers += ["Total DLP* (whole scan) mGy.cm", "Patient comments"]
    sheet.append_header(headers)
    age, weight = _study(shape, "patient_study.patient_age_decimal"), _study(
        shape, "patient_study.patient_weight")
    height, total = _study(shape, "patient_study.patient_size"), _study(shape, "study.total_dlp")
    at = {name: event_shape.position(name) for name in (
        "row.ct_acquisition_type", "row.ct_acquisition_type_code", "length.scanning_length",
        "length.top_z_location_of_scanning_length", "length.bottom_z_location_of_scanning_length",
        "s1.kvp", "s2.kvp", "derived.phantom", "row.mean_ctdivol", "row.dlp")}
    number = 0
    for batch in study_batches(session, query, ct.EXPORT):
        for study in batch:
            number += 1
            series = [e for e in study.events if e[at["row.ct_acquisition_type_code"]]
                      != ct.CONSTANT_ANGLE]
            fragment = workbook.cells([number, age(study), weight(study), _height_cm(height(study))],
                             (NUMBER,) * 4)
            for i, event in enumerate(series):
                kv = [v for v in (event[at["s1.kvp"]], event[at["s2.kvp"]]) if v is not None]
                values = [event[at["length.scanning_length"]],
                          event[at["length.top_z_location_of_scanning_length"]],
                          event[at["length.bottom_z_location_of_scanning_length"]],
                          " | ".join(f"{v:g}" for v in kv) if len(kv) > 1 else (
                              f"{kv[0]:g}" if kv else None),
                          event[at["derived.phantom"]], None, event[at["row.mean_ctdivol"]],
                          event[at["row.dlp"]]]
                first = (CT_FIRST_SERIES + i * len(CT_SERIES_HEADERS) if i < CT_SERIES_IN_FORM
                         else CT_MORE_SERIES + (i - CT_SERIES_IN_FORM) * len(CT_SERIES_HEADERS))
                fragment += workbook.cells(values, CT_SERIES_KINDS, first)
            types = [e[at["row.ct_acquisition_type"]] or "Unknown" for e in series]
            comment = f"Series types: {', '.join(types)}" if types else None
            fragment += workbook.cells([total(study), comment], (NUMBER, TEXT),
                              CT_FIRST_SERIES + CT_SERIES_IN_FORM * len(CT_SERIES_HEADERS))
            sheet.append(fragment)


# --- PHE 2019 radiography ------------------------------------------------------------------

DX_UNITS = "cGy·cm²"
_dxe = projection.EVENT_SHAPE.position


def _dx_getters():
    shape = dx.STUDY_SHAPE
    return {
        "id": _study(shape, "study.id"), "date": _study(shape, "study.study_date"),
        "weight": _study(shape, "patient_study.patient_weight"),
        "age": _study(shape, "patient_study.patient_age_decimal"),
        "sex": _study(shape, "patient.patient_sex"),
        "height": _study(shape, "patient_study.patient_size"),
        "dap": _study(shape, "study.total_dap"),
        "procedure": _study(shape, "study.procedure_code_meaning"),
        "requested": _study(shape, "study.requested_procedure_code_meaning"),
        "description": _study(shape, "study.study_description"),
    }


_PROJECTION = {name: _dxe(name) for name in (
    "row.acquisition_protocol", "row.image_view", "row.dose_area_product", "derived.grids",
    "distances.distance_source_to_detector", "derived.aluminium_thickness",
    "source.exposure_control_mode", "derived.kvp", "derived.mas", "detector.exposure_index")}


def _projection_details(event) -> list:
    """Detector used, grid used, FDD (cm), filtration (mm Al), AEC used, kVp, mAs, patient
    position, detector in bucky, other projection info."""
    sdd = event[_PROJECTION["distances.distance_source_to_detector"]]
    other = []
    if (index := event[_PROJECTION["detector.exposure_index"]]) is not None:
        other.append(f"EI: {index:g}")
    if view := event[_PROJECTION["row.image_view"]]:
        other.append(f"View: {view}")
    return [None, event[_PROJECTION["derived.grids"]],
            round(sdd / 10, 4) if sdd is not None else None,
            event[_PROJECTION["derived.aluminium_thickness"]],
            event[_PROJECTION["source.exposure_control_mode"]],
            event[_PROJECTION["derived.kvp"]], event[_PROJECTION["derived.mas"]], None, None,
            "; ".join(other) or None]


PROJECTION_DETAIL_HEADERS = ("Detector used", "Grid used", "FDD", "Filtration in mm Al",
                             "AEC used", "kVp", "mAs", "Patient position", "Detector in bucky",
                             "Other projection info")
PROJECTION_DETAIL_KINDS = (TEXT, TEXT, NUMBER, NUMBER, TEXT, NUMBER, NUMBER, TEXT, TEXT, TEXT)
SURVEY_TAIL = ("Additional one", "Additional two", "Additional three", "Additional four",
               "SNOMED CT code", "NICIP code", "Variation in dose collection",
               "Other information", "comments")


def _dx_front(get, study, dap, protocols):
    """Columns A to M of both radiography forms."""
    return [None, None, get["id"](study), get["date"](study),
            c.rescale(dap, c.GY_M2_TO_CGY_CM2), DX_UNITS,
            _protocol_name(study, get, protocols), get["weight"](study), None, None,
            get["age"](study), get["sex"](study), _height_cm(get["height"](study))]


DX_FRONT_HEADERS = ["", "PHE Record No", "Contributor's record ID", "Exam date"]
DX_FRONT_KINDS = (TEXT, TEXT, NUMBER, DATE, NUMBER, TEXT, TEXT, NUMBER, TEXT, TEXT, NUMBER,
                  TEXT, NUMBER)


def phe_dx_projection(query, session, workbook):
    """PHE 2019 radiography, single projection: one row per study, its first projection's
    technique and the study's DAP (equal to the projection's for single-projection exams)."""
    sheet = workbook.add_sheet("PHE DX 2019 Single Projection")
    headers = DX_FRONT_HEADERS + ["Projection DAP dose", "DAP dose units", "Protocol name",
                                  "Patient weight", "", "", "Patient age", "Sex", "Height",
                                  *PROJECTION_DETAIL_HEADERS, *SURVEY_TAIL]
    sheet.append_header(headers)
    get = _dx_getters()
    kinds = DX_FRONT_KINDS + PROJECTION_DETAIL_KINDS + (TEXT,) * len(SURVEY_TAIL)
    for batch in study_batches(session, query, dx.EXPORT):
        for study in batch:
            events = study.events
            protocols = [e[_PROJECTION["row.acquisition_protocol"]] for e in events]
            dap = get["dap"](study)
            if dap is None and len(events) == 1:
                dap = events[0][_PROJECTION["row.dose_area_product"]]
            values = _dx_front(get, study, dap, protocols)
            values += _projection_details(events[0]) if events else [None] * 10
            tail = [None] * len(SURVEY_TAIL)
            if len(events) > 1:
                tail[7] = f"{len(events)} projections; DAP is the study total"
            sheet.append_values(values + tail, kinds)


def phe_dx_study(query, session, workbook):
    """PHE 2019 radiography, whole examination: one row per study with each projection's
    DAP and technique; 6 projections, or 20 ("bespoke") when any study has more than 6."""
    sheet = workbook.add_sheet("PHE DX 2019 Exam")
    most = max_children(session, query, projection.EVENTS)
    slots = 6 if most <= 6 else 20
    headers = DX_FRONT_HEADERS + ["Study DAP dose", "DAP dose units", "Protocol name",
                                  "Patient weight", "", "", "Patient age", "Sex", "Height",
                                  "number of projections"]
    headers += [f"Projection {k} DAP" for k in range(1, slots + 1)]
    for k in range(1, slots + 1):
        headers += [f"Projection {k} Name", *PROJECTION_DETAIL_HEADERS]
    headers += SURVEY_TAIL
    sheet.append_header(headers)
    get = _dx_getters()
    kinds = (DX_FRONT_KINDS + (NUMBER,) + (NUMBER,) * slots
             + ((TEXT,) + PROJECTION_DETAIL_KINDS) * slots + (TEXT,) * len(SURVEY_TAIL))
    for batch in study_batches(session, query, dx.EXPORT):
        for study in batch:
            events = study.events
            protocols = [e[_PROJECTION["row.acquisition_protocol"]] for e in events]
            values = _dx_front(get, study, get["dap"](study), protocols)
            values.append(len(events))
            shown = events[:slots]
            values += [c.rescale(e[_PROJECTION["row.dose_area_product"]], c.GY_M2_TO_CGY_CM2)
                       for e in shown] + [None] * (slots - len(shown))
            for event in shown:
                name = event[_PROJECTION["row.acquisition_protocol"]] or event[
                    _PROJECTION["row.image_view"]]
                values += [name, *_projection_details(event)]
            values += [None] * (11 * (slots - len(shown)))
            tail = [None] * len(SURVEY_TAIL)
            if len(events) > slots:
                tail[7] = f"{len(events)} projections; the first {slots} are shown"
            sheet.append_values(values + tail, kinds)


# --- PHE 2019 interventional radiology and fluoroscopy --------------------------------------

FLUOROSCOPY_TYPES = {"P5-06000", "44491008"}  # Fluoroscopy (CID 10002), SNOMED RT and CT
RF_COLUMNS = 43  # A to AQ
RF_FIRST_DATA_ROW = 7
_rfe = projection.EVENT_SHAPE.position
_RF = {name: _rfe(name) for name in (
    "row.irradiation_event_type_code", "row.acquisition_protocol", "source.fluoro_mode",
    "source.pulse_rate", "derived.grids", "source.ii_field_size",
    "source.collimated_field_height", "source.collimated_field_width",
    "derived.copper_thickness", "derived.aluminium_thickness")}


def _span(values, unit=""):
    present = sorted({v for v in values if v is not None})
    if not present:
        return None
    if len(present) == 1:
        return f"{present[0]:g}{unit}"
    return f"{present[0]:g}–{present[-1]:g}{unit}"


def phe_rf(query, session, workbook):
    """PHE 2019 IR/fluoroscopy survey: no header row, units in row 4, one row per study
    from row 7, columns A to AQ."""
    sheet = workbook.add_sheet("PHE IR-Fluoro", freeze_header=False)
    units = [None] * RF_COLUMNS
    units[5], units[7], units[8] = "Gy·m²", "seconds", "Gy"
    for _ in range(3):
        sheet.append_values([], [])
    sheet.append_values(units, (TEXT,) * RF_COLUMNS)
    for _ in range(RF_FIRST_DATA_ROW - 5):
        sheet.append_values([], [])
    shape = rf.STUDY_SHAPE
    get = {name: _study(shape, f"more.{name}") for name in shape.parts["more"]}
    study_get = {key: _study(shape, name) for key, name in (
        ("id", "study.id"), ("date", "study.study_date"),
        ("weight", "patient_study.patient_weight"), ("age", "patient_study.patient_age_decimal"),
        ("sex", "patient.patient_sex"), ("height", "patient_study.patient_size"),
        ("procedure", "study.procedure_code_meaning"),
        ("requested", "study.requested_procedure_code_meaning"),
        ("description", "study.study_description"))}
    kinds = ((TEXT, NUMBER, NUMBER, DATE) + (NUMBER,) * 7 + (TEXT, NUMBER, TEXT, NUMBER, TEXT,
             NUMBER) + (TEXT,) * 4 + (NUMBER,) + (TEXT,) * 21)
    number = 0
    for batch in study_batches(session, query, rf.EXPORT):
        for study in batch:
            number += 1
            events = study.events
            fluoro = [e for e in events if e[_RF["row.irradiation_event_type_code"]]
                      in FLUOROSCOPY_TYPES]
            acquisitions = [e for e in events if e not in fluoro]

            def both(field):
                values = [get[f"{plane}_{field}"](study) for plane in "ab"]
                present = [v for v in values if v is not None]
                return round(sum(present), 12) if present else None

            fluoro_rates = {e[_RF["source.pulse_rate"]] for e in fluoro} - {None}
            acquisition_rates = {e[_RF["source.pulse_rate"]] for e in acquisitions} - {None}
            rectangles = [f"{e[_RF['source.collimated_field_height']]:g}×"
                          f"{e[_RF['source.collimated_field_width']]:g} mm" for e in events
                          if e[_RF["source.collimated_field_height"]] is not None
                          and e[_RF["source.collimated_field_width"]] is not None]
            notes = []
            if fluoro_rates:
                notes.append("Fluoroscopy pulse rates: "
                             + ", ".join(f"{r:g}" for r in sorted(fluoro_rates)) + " /s")
            if acquisition_rates:
                notes.append("Acquisition frame rates: "
                             + ", ".join(f"{r:g}" for r in sorted(acquisition_rates)) + " /s")
            values = [
                None, number, study_get["id"](study), study_get["date"](study),
                both("dose_area_product_total"), both("fluoro_dose_area_product_total"),
                both("acquisition_dose_area_product_total"), both("total_fluoro_time"),
                both("dose_rp_total"), both("fluoro_dose_rp_total"),
                both("acquisition_dose_rp_total"),
                _protocol_name(study, study_get), study_get["weight"](study), None,
                study_get["age"](study), study_get["sex"](study),
                _height_cm(study_get["height"](study)),
                c.joined(e[_RF["row.acquisition_protocol"]] for e in fluoro),
                c.joined(e[_RF["source.fluoro_mode"]] for e in fluoro),
                (f"{next(iter(fluoro_rates)):g}" if len(fluoro_rates) == 1
                 else "Multiple rates" if fluoro_rates else None),
                (f"{next(iter(acquisition_rates)):g}" if len(acquisition_rates) == 1
                 else "Multiple rates" if acquisition_rates
                 else "Single shot" if acquisitions else None),
                len(acquisitions), c.joined(e[_RF["derived.grids"]] for e in events),
                None, None, None, None,
                c.joined(dict.fromkeys(rectangles), ", "),
                _span([e[_RF["source.ii_field_size"]] for e in events], " mm"), None,
                _span([e[_RF["derived.copper_thickness"]] for e in events], " mm"),
                _span([e[_RF["derived.aluminium_thickness"]] for e in events], " mm"),
            ]
            values += [None] * (RF_COLUMNS - 1 - len(values))
            values.append("; ".join(notes) or None)
            sheet.append_values(values, kinds)


# --- NHSBSP mammography dose audit -----------------------------------------------------------

NHSBSP_HEADERS = ("Survey number", "Patient number", "View code", "kV", "Anode", "Filter",
                  "Thickness", "mAs", "large cassette used", "auto/man", "Auto mode",
                  "Density setting", "Age", "Comment", "AEC density mode")
# Exposures that are not part of a screening view.
NHSBSP_LEFT_OUT = ("scout", "postclip", "prefire", "biopsy", "postfire", "stereo", "specimen",
                   "artefact")
# Image views (CID 4014) by their NCCPM codes, matched on the code meaning.
VIEW_CODES = {
    "cranio-caudal": "CC", "medio-lateral oblique": "OB", "medio-lateral": "ML",
    "latero-medial": "LM", "latero-medial oblique": "LMO", "caudo-cranial (from below)": "FB",
    "superolateral to inferomedial oblique": "SIO", "inferomedial to superolateral oblique": "ISO",
    "cranio-caudal exaggerated laterally": "XCCL", "cranio-caudal exaggerated medially": "XCCM",
}
_mge = projection.EVENT_SHAPE.position
_MG = {name: _mge(name) for name in (
    "row.acquisition_protocol", "row.image_view", "row.laterality", "derived.kvp",
    "derived.target", "derived.filters", "mechanical.compression_thickness", "derived.mas",
    "source.exposure_control_mode")}


def view_code(laterality: str | None, view: str | None) -> str | None:
    """The NCCPM view code: R or L and the view ("RCC", "LOB"); None for other views."""
    code = VIEW_CODES.get((view or "").strip().lower())
    side = {"right": "R", "left": "L"}.get((laterality or "").strip().lower())
    if code is None or side is None:
        return None
    return side + code


def _text(value):
    return c.neutralise(value) if value else value


def nhsbsp(query, session) -> Iterator[bytes]:
    """NHSBSP dose audit csv: one row per screening exposure, patients numbered from 1."""
    yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(NHSBSP_HEADERS)
    age = _study(mg.STUDY_SHAPE, "patient_study.patient_age_decimal")
    patient = 0
    for batch in study_batches(session, query, mg.EXPORT):
        for study in batch:
            rows = []
            seen = Counter()
            for event in study.events:
                protocol = (event[_MG["row.acquisition_protocol"]] or "").lower()
                if any(word in protocol for word in NHSBSP_LEFT_OUT):
                    continue
                code = view_code(event[_MG["row.laterality"]], event[_MG["row.image_view"]])
                if code is None:
                    continue
                seen[code] += 1
                if seen[code] > 1:
                    code = f"{code}{seen[code]}"
                mode = event[_MG["source.exposure_control_mode"]]
                automatic = ("AUTO" if mode and "auto" in mode.lower()
                             else "MAN" if mode and "man" in mode.lower() else None)
                years = age(study)
                rows.append([1, None, code, event[_MG["derived.kvp"]],
                             _text(event[_MG["derived.target"]]),
                             _text(event[_MG["derived.filters"]]),
                             event[_MG["mechanical.compression_thickness"]],
                             event[_MG["derived.mas"]], None, automatic, _text(mode), None,
                             int(years) if years is not None else None, None, None])
            if rows:
                patient += 1
                for row in rows:
                    row[1] = patient
                    writer.writerow(row)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


SURVEYS = {
    (survey.modality, survey.key): survey for survey in (
        Survey("phe-2019", "ct", "PHE 2019 CT survey", "xlsx",
               "One row per study: up to four series per form row (localisers left out), "
               "CTDIvol, DLP and total DLP.", phe_ct),
        Survey("phe-2019-projection", "dx", "PHE 2019 radiography: single projection", "xlsx",
               "One row per study with its first projection's technique and the DAP.",
               phe_dx_projection),
        Survey("phe-2019-study", "dx", "PHE 2019 radiography: whole examination", "xlsx",
               "One row per study with every projection's DAP and technique.", phe_dx_study),
        Survey("phe-2019", "rf", "PHE 2019 interventional radiology and fluoroscopy", "xlsx",
               "One row per study from row 7: DAP, fluoroscopy time and dose at RP totals, "
               "protocols, frame rates, field sizes and filtration.", phe_rf),
        Survey("nhsbsp", "mg", "NHSBSP mammography dose audit", "csv",
               "One row per screening exposure with its NCCPM view code, kV, target, filter, "
               "thickness and mAs.", nhsbsp),
    )
}
