"""SSDE = f(D) × CTDIvol, with the conversion factor f of AAPM Report 204.

AAPM Report 204 (Size-Specific Dose Estimates (SSDE) in Pediatric and Adult Body CT
Examinations, 2011) fits its conversion factors, for CTDIvol measured in the 32 cm and the
16 cm PMMA phantom, as f = a · exp(−b · D) with D the patient's effective diameter in cm
(its Appendix A; Tables 1 and 2 tabulate the same fits for 8 to 45 cm). AAPM Report 220 (Use
of Water Equivalent Diameter for Calculating Patient Size and Size-Specific Dose Estimates
(SSDE) in CT, 2014) keeps these factors and replaces D by the water equivalent diameter Dw.

The patient size is taken, best first, from what the dose report recorded (TID 10013, CP
1525): the water equivalent diameter (113980, AAPM 220), the derived effective diameter
(113933, AAPM 204), or the effective diameter √(AP × lateral) of the measured AP (113932) and
lateral (113931) dimensions (AAPM 204 section 3). Lateral or AP alone have factors of their
own in AAPM 204 that are not fitted, so they are not used.
"""
import math
from dataclasses import dataclass

#: (a, b) of f = a·exp(−b·D), D in cm, by CTDI phantom diameter (AAPM Report 204, Appendix A).
COEFFICIENTS = {32: (3.704369, 0.03671937), 16: (1.874799, 0.03871313)}
#: The diameters AAPM Report 204's tables cover (cm); no factor is extrapolated beyond them.
DIAMETER_RANGE_CM = (8.0, 45.0)
#: CTDI phantom (CID 4052) by code value: IEC Body (32 cm) and IEC Head (16 cm) Dosimetry Phantom.
PHANTOM_DIAMETERS = {"113691": 32, "113690": 16}

#: How the size was found: stored in ``CtIrradiationEventData.ssde_method``.
WATER_EQUIVALENT_DIAMETER = "water_equivalent_diameter"
EFFECTIVE_DIAMETER = "effective_diameter"
AP_AND_LATERAL = "ap_and_lateral"
LOCALIZER = "localizer"
SIZE_IMPORT_WED = "size_import_wed"
SIZE_IMPORT_AP_LATERAL = "size_import_ap_lateral"
METHODS = {
    WATER_EQUIVALENT_DIAMETER: "Water equivalent diameter from the dose report (AAPM 220)",
    EFFECTIVE_DIAMETER: "Effective diameter from the dose report (AAPM 204)",
    AP_AND_LATERAL: "Effective diameter √(AP × lateral) from the dose report (AAPM 204)",
    LOCALIZER: "Water equivalent diameter from the CT localizer (AAPM 220)",
    SIZE_IMPORT_WED: "Water equivalent diameter from the patient-size import",
    SIZE_IMPORT_AP_LATERAL: "Effective diameter √(AP × lateral) from the patient-size import",
}


@dataclass(frozen=True)
class Estimate:
    """An SSDE (mGy), how the size was found, and the diameter used (mm)."""

    ssde: float
    method: str
    diameter: float


def conversion_factor(diameter_cm: float, phantom_cm: int) -> float:
    """AAPM 204's f for a patient of ``diameter_cm`` and CTDIvol in the ``phantom_cm`` phantom."""
    a, b = COEFFICIENTS[phantom_cm]
    return a * math.exp(-b * diameter_cm)


@dataclass(frozen=True)
class Size:
    """What a dose report says about the patient's size at one event, in mm."""

    water_equivalent_diameter: float | None = None
    derived_effective_diameter: float | None = None
    measured_ap_dimension: float | None = None
    measured_lateral_dimension: float | None = None


def diameter(sizes) -> tuple[float, str] | None:
    """(diameter in mm, method) from the best size any of ``sizes`` gives, else None."""
    sizes = list(sizes)
    for size in sizes:
        if _positive(size.water_equivalent_diameter):
            return size.water_equivalent_diameter, WATER_EQUIVALENT_DIAMETER
    for size in sizes:
        if _positive(size.derived_effective_diameter):
            return size.derived_effective_diameter, EFFECTIVE_DIAMETER
    for size in sizes:
        if _positive(size.measured_ap_dimension) and _positive(size.measured_lateral_dimension):
            return (math.sqrt(size.measured_ap_dimension * size.measured_lateral_dimension),
                    AP_AND_LATERAL)
    return None


def estimate(ctdivol: float | None, phantom_code: str | None, sizes,
             fallbacks=()) -> Estimate | None:
    """The SSDE of one event, or None without CTDIvol, a known phantom or a usable size.

    ``fallbacks`` are (diameter mm, method) pairs from outside the dose report, best first,
    used only when the report gives no size.
    """
    phantom = PHANTOM_DIAMETERS.get(phantom_code)
    if ctdivol is None or phantom is None:
        return None
    found = diameter(sizes)
    if found is None:
        found = next(((d, m) for d, m in fallbacks if _positive(d)), None)
    if found is None:
        return None
    millimetres, method = found
    centimetres = millimetres / 10.0
    low, high = DIAMETER_RANGE_CM
    if not low <= centimetres <= high:
        return None
    return Estimate(ctdivol * conversion_factor(centimetres, phantom), method, millimetres)


def _positive(value) -> bool:
    return value is not None and value > 0
