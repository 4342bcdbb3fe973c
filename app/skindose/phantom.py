"""The patient phantom: the trunk as an elliptical cylinder, scaled to the patient's size.

Patient frame (supine, head first on the table), in mm: x towards the patient's left, y
towards the patient's anterior (up, for a supine patient), z towards the head. The cylinder's
axis is the z axis; z runs from 0 (the trunk's lower end) to ``length``.

The reference trunk is 340 mm wide, 200 mm deep (anterior-posterior) and 700 mm long for a
patient of 1.70 m and 70 kg (close to the ICRP Publication 89 reference adult). Length scales
with height; the cross-section's area with weight per height (mass per unit length), so
width and depth each scale with its square root. Unknown height or weight take the reference
value.
"""
from dataclasses import dataclass

import numpy as np

REFERENCE_HEIGHT = 1.70  # m
REFERENCE_WEIGHT = 70.0  # kg
REFERENCE_WIDTH = 340.0  # mm, left-right
REFERENCE_DEPTH = 200.0  # mm, anterior-posterior
REFERENCE_LENGTH = 700.0  # mm, trunk length
CELL = 10.0  # mm, the target edge of one skin cell

# Sizes outside these are taken as errors and replaced by the reference value.
HEIGHT_RANGE = (0.4, 2.3)  # m
WEIGHT_RANGE = (2.0, 300.0)  # kg


@dataclass(frozen=True)
class Phantom:
    """A trunk phantom and its skin cells.

    The skin is cut into ``rows`` (along z) by ``columns`` (around the circumference,
    starting at the posterior midline and going towards the patient's left, anterior, right).
    ``centres`` and ``normals`` are (rows*columns, 3) arrays, row-major.
    """

    width: float
    depth: float
    length: float
    height_m: float
    weight_kg: float
    rows: int
    columns: int
    centres: np.ndarray
    normals: np.ndarray

    @property
    def shape(self):
        return self.rows, self.columns

    @property
    def circumference(self) -> float:
        """Ramanujan's approximation of the ellipse's perimeter (mm)."""
        a, b = self.width / 2, self.depth / 2
        h = ((a - b) / (a + b)) ** 2
        return np.pi * (a + b) * (1 + 3 * h / (10 + np.sqrt(4 - 3 * h)))


def size(height_m, weight_kg) -> tuple[float, float, bool]:
    """The height and weight used, and whether either was a default."""
    defaulted = False
    if height_m is None or not HEIGHT_RANGE[0] <= height_m <= HEIGHT_RANGE[1]:
        height_m, defaulted = REFERENCE_HEIGHT, True
    if weight_kg is None or not WEIGHT_RANGE[0] <= weight_kg <= WEIGHT_RANGE[1]:
        weight_kg, defaulted = REFERENCE_WEIGHT, True
    return float(height_m), float(weight_kg), defaulted


def build(height_m=None, weight_kg=None, cell: float = CELL) -> Phantom:
    """The phantom for a patient of this height (m) and weight (kg)."""
    height_m, weight_kg, _ = size(height_m, weight_kg)
    scale = np.sqrt((weight_kg / height_m) / (REFERENCE_WEIGHT / REFERENCE_HEIGHT))
    width, depth = REFERENCE_WIDTH * scale, REFERENCE_DEPTH * scale
    length = REFERENCE_LENGTH * height_m / REFERENCE_HEIGHT
    a, b = width / 2, depth / 2
    # Cells of equal arc length around the ellipse: sample finely, then cut the perimeter.
    fine = np.linspace(0.0, 2 * np.pi, 4097)
    # Angle t from the posterior midline towards the left: x = a sin t, y = -b cos t.
    fx, fy = a * np.sin(fine), -b * np.cos(fine)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(fx), np.diff(fy)))])
    columns = max(8, int(round(arc[-1] / cell)))
    rows = max(1, int(round(length / cell)))
    t = np.interp((np.arange(columns) + 0.5) * arc[-1] / columns, arc, fine)
    x, y = a * np.sin(t), -b * np.cos(t)
    # Outward normal of the ellipse x²/a² + y²/b² = 1 is (x/a², y/b²).
    nx, ny = x / a**2, y / b**2
    norm = np.hypot(nx, ny)
    nx, ny = nx / norm, ny / norm
    z = (np.arange(rows) + 0.5) * length / rows
    centres = np.empty((rows, columns, 3))
    centres[:, :, 0] = x[None, :]
    centres[:, :, 1] = y[None, :]
    centres[:, :, 2] = z[:, None]
    normals = np.zeros((rows, columns, 3))
    normals[:, :, 0] = nx[None, :]
    normals[:, :, 1] = ny[None, :]
    return Phantom(width, depth, length, height_m, weight_kg, rows, columns,
                   centres.reshape(-1, 3), normals.reshape(-1, 3))
