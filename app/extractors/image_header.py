"""Dose values read from image headers rather than from a dose report.

Mammography, radiography and Philips CT dose-info objects carry their dose data as ordinary
attributes (Organ Dose, Image and Fluoroscopy Area Dose Product, CTDIvol...). Vendors fill them
loosely: decimals in IS attributes, comma-separated lists in single values, elements whose
length does not fit their VR. ``HeaderReader`` reads them tolerantly and notes what it had to
ignore, except for dose quantities: a dose that is present but not a finite, non-negative
number makes the object unreadable, because storing a wrong dose is worse than storing none.
"""
import math
import re

from pydicom.datadict import tag_for_keyword
from pydicom.sr.codedict import codes
from pydicom.tag import Tag

from .codes import Code
from .common import first_code
from .values import combine, parse_date, parse_datetime, parse_time, text_of

#: Larger magnitudes are not doses or settings of any real exposure (as for SR content items).
LARGEST_PLAUSIBLE = 1e12

# Codes the image importers store that pydicom's dictionary lacks or spells in SNOMED CT: the
# legacy SNOMED-RT values below are the ones PS3.16 listed and the reference data holds.
MAMMOGRAPHY = Code("P5-40010", "Mammography", "SRT")  # CID 10003 Procedure Reported
PROJECTION_XRAY = Code(codes.DCM.ProjectionXRay.value, codes.DCM.ProjectionXRay.meaning, "DCM")
DIAGNOSTIC_INTENT = Code("R-408C3", "Diagnostic Intent", "SRT")  # CID 3629 Procedure Intent
YES = Code("R-0038D", "Yes", "SRT")  # CID 230 Yes-No
NO = Code("R-00339", "No", "SRT")
RIGHT = Code("G-A100", "Right", "SRT")  # CID 244 Laterality
LEFT = Code("G-A101", "Left", "SRT")
RIGHT_AND_LEFT = Code("G-A102", "Right and left", "SRT")
RIGHT_BREAST = Code("T-04020", "Right breast", "SRT")  # CID 6022 Side (TID 10005 Laterality)
LEFT_BREAST = Code("T-04030", "Left breast", "SRT")
BOTH_BREASTS = Code("T-04080", "Both breasts", "SRT")

# Target and filter materials (CID 10016 Anode Target Material, CID 10006 X-Ray Filter
# Materials), keyed by the Defined Terms of (0018,1191) and (0018,7050).
MATERIALS = {
    "MOLYBDENUM": Code("C-150F9", "Molybdenum or Molybdenum compound", "SRT"),
    "RHODIUM": Code("C-167F9", "Rhodium or Rhodium compound", "SRT"),
    "TUNGSTEN": Code("C-164F9", "Tungsten or Tungsten compound", "SRT"),
    "SILVER": Code("C-137F9", "Silver or Silver compound", "SRT"),
    "ALUMINUM": Code("C-120F9", "Aluminum or Aluminum compound", "SRT"),
    "ALUMINIUM": Code("C-120F9", "Aluminum or Aluminum compound", "SRT"),  # Philips DiDi spelling
    "COPPER": Code("C-127F9", "Copper or Copper compound", "SRT"),
    "NIOBIUM": Code("C-1190E", "Niobium or Niobium compound", "SRT"),
    "EUROPIUM": Code("C-1190F", "Europium or Europium compound", "SRT"),
    "LEAD": Code("C-132F9", "Lead or Lead compound", "SRT"),
    "TANTALUM": Code("C-156F9", "Tantalum or Tantalum compound", "SRT"),
}


def _dcm(keyword: str) -> Code:
    concept = getattr(codes.DCM, keyword)
    return Code(concept.value, concept.meaning, "DCM")


SINGLE_PLANE = _dcm("SinglePlane")
STATIONARY_ACQUISITION = _dcm("StationaryAcquisition")
STUDY_SCOPE = _dcm("Study")
COPIED_FROM_IMAGE_ATTRIBUTES = _dcm("CopiedFromImageAttributes")

# Grid (0018,1166) Defined Terms to CID 10017 X-Ray Grid. Vendors abbreviate terms to fit two
# of them in one 16-character value ("RECIPROCATING\FO"), so the first two letters decide.
GRIDS = {
    "FI": _dcm("FixedGrid"),
    "FO": _dcm("FocusedGrid"),
    "RE": _dcm("ReciprocatingGrid"),
    "PA": _dcm("ParallelGrid"),
    "CR": _dcm("CrossedGrid"),
    "NO": _dcm("NoGrid"),
}

# Filter Type (0018,1160) Defined Terms to CID 10007 X-Ray Filters.
FILTER_TYPES = {
    "STRIP": _dcm("StripFilter"),
    "WEDGE": _dcm("WedgeFilter"),
    "BUTTERFLY": _dcm("ButterflyFilter"),
    "FLAT": _dcm("FlatFilter"),
    "NONE": _dcm("NoFilter"),
}

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?(nan|inf|infinity)", re.I)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


class HeaderReader:
    """Reads one dataset's attributes, collecting a warning for each value it had to ignore."""

    def __init__(self, ds, warnings: list):
        self.ds = ds
        self.warnings = warnings

    # Raw access ---------------------------------------------------------------------------
    def value(self, keyword_or_tag):
        """The attribute's value, or None when absent or undecodable (noted as a warning)."""
        tag = _tag(keyword_or_tag)
        if tag is None or tag not in self.ds:
            return None
        try:
            return self.ds[tag].value
        except Exception:  # noqa: BLE001 - pydicom raises assorted errors for malformed values
            pass
        # A value pydicom cannot convert (wrong length for its VR, bad number): text VRs are
        # still readable from the raw bytes; anything else is treated as absent.
        raw = self.ds.get_item(tag)
        raw_value = getattr(raw, "value", None)
        if isinstance(raw_value, bytes) and getattr(raw, "VR", None) in _TEXT_VRS:
            return raw_value.decode("latin-1")
        self.warnings.append(f"{_name(keyword_or_tag)} has a malformed value and was ignored")
        return None

    def text(self, keyword_or_tag) -> str | None:
        """A string attribute as ``str``; multiple values joined; empty as None."""
        return text_of(self.value(keyword_or_tag))

    def texts(self, keyword_or_tag) -> list[str]:
        """Each value of a multi-valued string attribute (backslash- or comma-separated)."""
        value = self.value(keyword_or_tag)
        if value is None:
            return []
        items = [value] if isinstance(value, (str, bytes)) else list(value)
        parts = []
        for item in items:
            text = text_of(item)
            if text:
                parts += [p.strip() for p in re.split(r"[\\,]", text) if p.strip()]
        return parts

    def numbers(self, keyword_or_tag, decimal_comma: bool = True) -> list[float]:
        """Every value of a numeric attribute as finite floats; malformed ones are dropped.

        ``decimal_comma`` reads "0,5" as one half; without it a comma separates values, as in
        Kodak's "1.06,0.206" for two filters.
        """
        value = self.value(keyword_or_tag)
        if value is None or value == "":
            return []
        parsed = _floats(value, decimal_comma)
        if parsed is None:
            self.warnings.append(f"{_name(keyword_or_tag)} is not a number ('{_short(value)}')")
            return []
        kept = [v for v in parsed if math.isfinite(v) and abs(v) <= LARGEST_PLAUSIBLE]
        if len(kept) != len(parsed):
            self.warnings.append(f"{_name(keyword_or_tag)} has an implausible value, ignored")
        return kept

    def number(self, keyword_or_tag) -> float | None:
        """The first value of a numeric attribute, tolerating decimals in IS and decimal commas."""
        values = self.numbers(keyword_or_tag)
        return values[0] if values else None

    def dose(self, keyword_or_tag, name: str) -> float | None:
        """A dose quantity as sent; None, with a warning naming it, when not a plausible dose."""
        value = self.value(keyword_or_tag)
        if value is None:
            return None
        parsed = _floats(value)
        if parsed is None:
            return self._odd(name, f"is not a number ('{_short(value)}')")
        if not parsed:
            return None  # present but empty: not sent
        dose = parsed[0]
        if not math.isfinite(dose):
            return self._odd(name, f"is not a finite number ({dose})")
        if dose < 0:
            return self._odd(name, f"is negative ({dose:g})")
        if dose > LARGEST_PLAUSIBLE:
            return self._odd(name, f"has an implausible value ({dose:g})")
        return dose

    def _odd(self, name: str, problem: str) -> None:
        message = f"{name} {problem}: not stored"
        if message not in self.warnings:
            self.warnings.append(message)
        return None

    def code(self, keyword) -> Code | None:
        """The first code of a code sequence attribute."""
        try:
            return first_code(self.ds, keyword)
        except Exception:  # noqa: BLE001 - a malformed sequence item is as good as none
            self.warnings.append(f"{keyword} could not be read and was ignored")
            return None

    def private_tag(self, group: int, creator: str, offset: int):
        """Tag of a private attribute found by its creator, wherever the vendor's block sits."""
        try:
            return self.ds.private_block(group, creator).get_tag(offset)
        except KeyError:
            return None
        except Exception:  # noqa: BLE001 - a damaged private creator element hides the block
            self.warnings.append(f"the private {creator} block could not be read and was ignored")
            return None

    def private_number(self, group: int, creator: str, offset: int) -> float | None:
        """A private numeric attribute by its creator."""
        tag = self.private_tag(group, creator, offset)
        return self.number(tag) if tag is not None else None

    def private_dose(self, group: int, creator: str, offset: int, name: str) -> float | None:
        """A private dose attribute by its creator, checked like ``dose``."""
        tag = self.private_tag(group, creator, offset)
        return self.dose(tag, name) if tag is not None else None

    # Dates ------------------------------------------------------------------------------------
    def acquisition_datetime(self):
        """When the image was exposed: Acquisition DateTime, else the acquisition, else the
        content date and time.

        Study date and time are not used: every image of a study would share them, and the
        importer's same-start-time duplicate rule would then drop all images but one.
        """
        started = parse_datetime(self.value("AcquisitionDateTime"))
        if started:
            return started
        for date_keyword, time_keyword in (("AcquisitionDate", "AcquisitionTime"),
                                           ("ContentDate", "ContentTime")):
            date = parse_date(self.value(date_keyword))
            time = parse_time(self.value(time_keyword))
            if date and time:
                return combine(date, time)
        return None


_TEXT_VRS = {"DS", "IS", "CS", "LO", "SH", "ST", "LT", "UT", "DA", "TM", "DT", "PN", "AS", "UI"}


def _tag(keyword_or_tag):
    if isinstance(keyword_or_tag, str):
        tag = tag_for_keyword(keyword_or_tag)
        return Tag(tag) if tag is not None else None
    return Tag(keyword_or_tag)


def _name(keyword_or_tag) -> str:
    return keyword_or_tag if isinstance(keyword_or_tag, str) else str(Tag(keyword_or_tag))


def _short(value) -> str:
    return str(value)[:40]


def _floats(value, decimal_comma: bool = True) -> list[float] | None:
    """All numbers in a DS/IS/FD value, or None if any part is not a number."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, str):
        text = value.strip().strip("\x00").strip()
        if not text:
            return []
        if decimal_comma and _DECIMAL_COMMA.fullmatch(text):
            text = text.replace(",", ".")  # a decimal comma, e.g. "0,5"
        tokens = [t.strip() for t in re.split(r"[\\,]", text)]
    else:
        try:
            tokens = list(value)
        except TypeError:
            return None
    result = []
    for token in tokens:
        if isinstance(token, (int, float)):
            result.append(float(token))
            continue
        token = str(token).strip()
        if not token:
            continue
        if decimal_comma and _DECIMAL_COMMA.fullmatch(token):
            token = token.replace(",", ".")
        if not _NUMBER.fullmatch(token):
            return None
        result.append(float(token))
    return result


# Record pieces shared by the projection image extractors -----------------------------------

def laterality(reader: HeaderReader) -> Code | None:
    """Image Laterality, else the series' Laterality: R, L or B ("U" means unpaired)."""
    sent = (reader.text("ImageLaterality") or reader.text("Laterality") or "").upper()
    return {"R": RIGHT, "L": LEFT, "B": RIGHT_AND_LEFT}.get(sent)


def grid_rows(values: list[str], order_by_code: bool = False) -> list[dict]:
    """``xraygrid_set`` rows from the Grid values, one per distinct grid property."""
    grids = []
    for value in values:
        grid = GRIDS.get(value.strip().upper()[:2])
        if grid is not None and grid not in grids:
            grids.append(grid)
    if order_by_code:
        grids.sort(key=lambda code: code.code_value)
    return [{"xray_grid": grid} for grid in grids]


def material(name: str | None) -> Code | None:
    """A target or filter material code from its Defined Term (case and padding ignored)."""
    if not name:
        return None
    return MATERIALS.get(name.strip().upper())


def collimated_field_area(reader: HeaderReader) -> float | None:
    """Field of View Dimensions (mm, rectangle sides or a round field's diameter) as m²."""
    sides = (reader.numbers("FieldOfViewDimensions")
             or reader.numbers("FieldOfViewDimensionsInFloat"))
    shape = (reader.text("FieldOfViewShape") or "").upper()
    if len(sides) >= 2:
        return sides[0] * sides[1] / 1e6
    if len(sides) == 1 and shape == "ROUND":
        return math.pi * (sides[0] / 2) ** 2 / 1e6
    return None


def exposure_uas(reader: HeaderReader) -> float | None:
    """Exposure (tube current-time product) in µA·s from whichever attribute carries it."""
    exposure = reader.number("ExposureInuAs")
    if exposure is not None:
        return exposure
    for keyword in ("ExposureInmAs", "Exposure"):
        exposure = reader.number(keyword)
        if exposure is not None:
            return exposure * 1000
    return None


def tube_current_ma(reader: HeaderReader) -> float | None:
    """X-ray tube current in mA from whichever attribute carries it."""
    for keyword, scale in (("XRayTubeCurrent", 1), ("XRayTubeCurrentInmA", 1),
                           ("XRayTubeCurrentInuA", 1e-3)):
        current = reader.number(keyword)
        if current is not None:
            return current * scale
    return None


def exposure_time_ms(reader: HeaderReader) -> float | None:
    """Exposure time in ms from whichever attribute carries it."""
    for keyword, scale in (("ExposureTime", 1), ("ExposureTimeInms", 1),
                           ("ExposureTimeInuS", 1e-3)):
        time = reader.number(keyword)
        if time is not None:
            return time * scale
    return None


def dose_area_product(reader: HeaderReader) -> float | None:
    """Image and Fluoroscopy Area Dose Product (0018,115E), sent in dGy·cm², in Gy·m²."""
    dap = reader.dose("ImageAndFluoroscopyAreaDoseProduct",
                      "Image and Fluoroscopy Area Dose Product")
    return dap * 1e-5 if dap is not None else None


def protocol(reader: HeaderReader) -> str | None:
    """Acquisition protocol: Protocol Name, else Series Description, else the performed protocol.

    Toshiba TFD systems (software TM_TFD_1.0) leave Protocol Name empty and put the protocol in
    Image Comments.
    """
    name = reader.text("ProtocolName")
    if name:
        return name
    if (reader.text("Manufacturer") or "").upper() == "TOSHIBA_MEC" and \
            (reader.text("SoftwareVersions") or "").upper() == "TM_TFD_1.0":
        name = reader.text("ImageComments")
        if name:
            return name
    name = reader.text("SeriesDescription")
    if name:
        return name
    performed = reader.code("PerformedProtocolCodeSequence")
    return performed.code_meaning if performed else None


def projection_dose(procedure: Code, accumulated: dict, event: dict) -> dict:
    """A ``projectionxrayradiationdose_set`` row built from image attributes (one event)."""
    return {
        "procedure_reported": procedure,
        "has_intent": DIAGNOSTIC_INTENT,
        "scope_of_accumulation": STUDY_SCOPE,
        "source_of_dose_information": COPIED_FROM_IMAGE_ATTRIBUTES,
        "xray_detector_data_available": NO,
        "xray_source_data_available": YES,
        "xray_mechanical_data_available": YES,
        "accumxraydose_set": [{"acquisition_plane": SINGLE_PLANE, **accumulated}],
        "irradeventxraydata_set": [event],
    }


def without_series_fields(record: dict) -> dict:
    """The study record with its series fields cleared: a study's images come from many series."""
    record["series_instance_uid"] = None
    record["series_time"] = None
    record["content_time"] = None
    return record
