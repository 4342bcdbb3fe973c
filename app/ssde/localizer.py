"""Water equivalent diameter from a CT localizer image (AAPM Report 220, section 2.2).

Pure: a pydicom Dataset in, a ``Profile`` out. A localizer's pixel values are projection
data, not CT numbers: a scanner-specific linear calibration turns a pixel value ``p`` into
the water-equivalent path length through the patient, ``t = slope · p + intercept`` (mm).
For one localizer row (one patient z position) the water-equivalent area is

    Aw = ∫ t dx   over the patient's pixels of the row,   Dw = 2 · sqrt(Aw / π).

The profile keeps, per row, the sum of pixel values over the patient's pixels times the
column spacing (``S``, pixel value · mm) and the patient's width (``W``, mm), so that
``Aw = slope · S + intercept · W`` can be computed with whatever calibration the device has
now or gets later, without keeping the pixels.

A pixel belongs to the patient when it lies above the image's air level by more than
``PATIENT_THRESHOLD`` of the image's range (air is the lowest value of a projection).
Compressed pixel data are not decoded: such a localizer gives a ``LocalizerError``.
"""
import array
import math
import sys
from dataclasses import dataclass, field

from ..extractors.common import text

#: Fraction of the image's pixel value range above air that marks a pixel as patient.
PATIENT_THRESHOLD = 0.02
#: Uncompressed transfer syntaxes Kerma decodes without an image library.
_NATIVE = {"1.2.840.10008.1.2": "<", "1.2.840.10008.1.2.1": "<", "1.2.840.10008.1.2.2": ">"}
#: The column direction must run along the patient's z axis within this cosine.
_Z_COSINE = 0.9


class LocalizerError(ValueError):
    """The localizer cannot give a size profile; the message says why."""


@dataclass
class Profile:
    """A localizer's per-row size data: (z mm, S pixel value·mm, W mm) for patient rows."""

    study_instance_uid: str
    sop_instance_uid: str
    rows: list = field(default_factory=list)


def is_localizer(ds) -> bool:
    """True for a CT image whose Image Type names it a LOCALIZER."""
    image_type = ds.get("ImageType")
    values = [str(v).upper() for v in (image_type or [])] if not isinstance(image_type, str) \
        else image_type.upper().split("\\")
    return "LOCALIZER" in values


def pixels(ds) -> tuple[int, int, list]:
    """(rows, columns, modality values row-major) from uncompressed pixel data."""
    syntax = str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "")
                 or "1.2.840.10008.1.2.1")
    if syntax not in _NATIVE:
        raise LocalizerError(f"its pixel data are compressed ({syntax}), which Kerma does not decode")
    try:
        rows, columns = int(ds.Rows), int(ds.Columns)
        bits = int(ds.BitsAllocated)
        signed = int(ds.get("PixelRepresentation", 0)) == 1
        samples = int(ds.get("SamplesPerPixel", 1))
        data = ds.PixelData
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise LocalizerError(f"its image attributes are missing or malformed ({exc})") from exc
    if samples != 1 or bits not in (8, 16) or rows < 1 or columns < 1:
        raise LocalizerError("it is not a single-sample 8 or 16 bit image")
    values = array.array({(8, False): "B", (8, True): "b", (16, False): "H",
                          (16, True): "h"}[(bits, signed)])
    needed = rows * columns * values.itemsize
    if len(data) < needed:
        raise LocalizerError(f"its pixel data are truncated ({len(data)} of {needed} bytes)")
    values.frombytes(bytes(data[:needed]))
    if values.itemsize > 1 and (_NATIVE[syntax] == ">") != (sys.byteorder == "big"):
        values.byteswap()
    slope = _float(ds.get("RescaleSlope"), 1.0)
    intercept = _float(ds.get("RescaleIntercept"), 0.0)
    return rows, columns, [v * slope + intercept for v in values]


def geometry(ds) -> tuple[float, float, float]:
    """(z of the first row, z step per row, column spacing), all in mm."""
    try:
        position = [float(v) for v in ds.ImagePositionPatient]
        orientation = [float(v) for v in ds.ImageOrientationPatient]
        row_spacing, column_spacing = (float(v) for v in ds.PixelSpacing)
    except (AttributeError, TypeError, ValueError) as exc:
        raise LocalizerError("it lacks a usable Image Position, Image Orientation or "
                             "Pixel Spacing") from exc
    if len(position) != 3 or len(orientation) != 6 or row_spacing <= 0 or column_spacing <= 0:
        raise LocalizerError("its Image Position, Image Orientation or Pixel Spacing is malformed")
    if abs(orientation[5]) < _Z_COSINE:
        raise LocalizerError("its columns do not run along the patient's length (z)")
    return position[2], row_spacing * orientation[5], column_spacing


def _rows(ds, what: str):
    """(threshold above air, the image's rows of pixel values); LocalizerError when every
    pixel is equal (``what``, patient or phantom, cannot be told from air)."""
    rows, columns, values = pixels(ds)
    low, high = min(values), max(values)
    if high <= low:
        raise LocalizerError(f"its pixels are all equal: no {what} to measure")
    return (low + PATIENT_THRESHOLD * (high - low),
            [values[i * columns:(i + 1) * columns] for i in range(rows)])


def profile(ds) -> Profile:
    """The size profile of a localizer; LocalizerError when it cannot give one."""
    study_uid, sop_uid = text(ds, "StudyInstanceUID"), text(ds, "SOPInstanceUID")
    if not study_uid or not sop_uid:
        raise LocalizerError("it has no Study or SOP Instance UID")
    z0, dz, dx = geometry(ds)
    threshold, rows = _rows(ds, "patient")
    found = Profile(study_uid, sop_uid)
    for i, row in enumerate(rows):
        patient = [v for v in row if v > threshold]
        if patient:
            found.rows.append((round(z0 + i * dz, 3), sum(patient) * dx, len(patient) * dx))
    return found


def row_diameters(rows, slope: float, intercept: float) -> list[tuple[float, float]]:
    """(z, Dw mm) per profile row under a calibration; rows giving no positive area skipped."""
    found = []
    for z, s, w in rows:
        area = slope * s + intercept * w
        if area > 0:
            found.append((z, 2.0 * math.sqrt(area / math.pi)))
    return found


def mean_diameter(rows, slope, intercept, z_range=None) -> tuple[float | None, bool]:
    """Mean Dw (mm) over the rows within ``z_range`` (low, high), else over all rows.

    Returns (Dw, True when the z range selected rows).
    """
    diameters = row_diameters(rows, slope, intercept)
    if z_range is not None:
        low, high = sorted(z_range)
        inside = [d for z, d in diameters if low <= z <= high]
        if inside:
            return sum(inside) / len(inside), True
    if not diameters:
        return None, False
    return sum(d for _, d in diameters) / len(diameters), False


def calibrate(ds, phantom_diameter_mm: float) -> tuple[float, float]:
    """(slope, intercept) from a localizer of a water cylinder of the given diameter.

    For each patient row, the phantom's centre is the row's patient-pixel midpoint; a pixel
    at distance x from it has a true water path 2·sqrt(R² − x²) (0 outside). A least-squares
    line through (pixel value, path) over the pixels of the rows fits the calibration.
    """
    if phantom_diameter_mm <= 0:
        raise LocalizerError("the phantom diameter must be positive")
    _, _, dx = geometry(ds)
    threshold, rows = _rows(ds, "phantom")
    radius = phantom_diameter_mm / 2.0
    n = sx = sy = sxx = sxy = 0.0
    for row in rows:
        inside = [j for j, v in enumerate(row) if v > threshold]
        if not inside:
            continue
        centre = (inside[0] + inside[-1]) / 2.0
        for j, p in enumerate(row):
            x = (j - centre) * dx
            path = 2.0 * math.sqrt(radius * radius - x * x) if abs(x) < radius else 0.0
            n += 1
            sx += p
            sy += path
            sxx += p * p
            sxy += p * path
    spread = n * sxx - sx * sx
    if n < 2 or spread <= 0:
        raise LocalizerError("it holds too few distinct pixel values to fit a calibration")
    slope = (n * sxy - sx * sy) / spread
    intercept = (sy - slope * sx) / n
    if slope <= 0:
        raise LocalizerError("the fitted calibration slope is not positive")
    return slope, intercept


def _float(value, default: float) -> float:
    try:
        return float(value) if value is not None and value != "" else default
    except (TypeError, ValueError):
        return default
