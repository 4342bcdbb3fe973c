"""Correction factors from incident air kerma to skin dose (docs/skin-dose.md, "Factors").

* Backscatter: ``backscatter(kvp, copper, side)``, trilinear in tube voltage (kV), added
  copper filtration (mm) and the side of the square field at the skin (cm), from Table 3 of
  Benmakhlouf, Bouchard, Fransson and Andreo, "Backscatter factors and mass energy-absorption
  coefficient ratios for diagnostic radiology dosimetry", Phys Med Biol 56 (2011) 7179-7204:
  Monte Carlo B_air at the entrance surface of a 15 cm thick water phantom, for beams with
  3.1 mm Al inherent filtration, 50-150 kV, 0-0.9 mm Cu and square fields of 5-35 cm side
  (combined standard uncertainty 1 %). Outside the table the nearest edge value is used.
* Tissue to air: 1.06, the ratio of mass energy-absorption coefficients of soft tissue and
  air for diagnostic beams (ICRU Report 44 coefficients), as used for fluoroscopic skin dose
  in NCRP Report No. 168 (2010).
* Table and mattress: 0.75 transmission for a beam crossing them at right angles (the
  value a commercial peak-skin-dose calculation uses, reported by the OHSU "Characterizing
  error in peak skin dose calculations for fluoroscopically guided interventions" thesis,
  2021; measured tables and pads lie between about 0.6 and 0.9). An oblique beam crosses a
  longer path: the transmission is raised to 1/cos(angle to vertical), the path at most
  three times the perpendicular one.
"""
import numpy as np

TISSUE_TO_AIR = 1.06
TABLE_TRANSMISSION = 0.75
MAX_TABLE_PATH = 3.0
DEFAULT_KVP = 80.0

# Benmakhlouf et al. (2011), Table 3: B_air by tube voltage (kV), added copper (mm) and
# square field side at the phantom surface (cm).
BSF_KVP = np.array([50.0, 80.0, 110.0, 150.0])
BSF_COPPER = np.array([0.0, 0.1, 0.2, 0.3, 0.6, 0.9])
BSF_SIDE = np.array([5.0, 10.0, 20.0, 25.0, 35.0])
BSF = np.array([  # [copper][kvp][side]
    [[1.204, 1.257, 1.282, 1.285, 1.287], [1.242, 1.331, 1.390, 1.400, 1.408],
     [1.254, 1.363, 1.446, 1.463, 1.476], [1.253, 1.373, 1.473, 1.495, 1.514]],
    [[1.244, 1.320, 1.360, 1.366, 1.368], [1.275, 1.392, 1.476, 1.492, 1.504],
     [1.275, 1.408, 1.515, 1.538, 1.557], [1.262, 1.398, 1.517, 1.544, 1.568]],
    [[1.264, 1.354, 1.405, 1.412, 1.416], [1.289, 1.421, 1.522, 1.541, 1.556],
     [1.281, 1.425, 1.546, 1.573, 1.595], [1.261, 1.404, 1.532, 1.561, 1.589]],
    [[1.275, 1.376, 1.434, 1.443, 1.448], [1.295, 1.438, 1.550, 1.572, 1.589],
     [1.282, 1.432, 1.562, 1.591, 1.616], [1.258, 1.404, 1.537, 1.568, 1.597]],
    [[1.293, 1.411, 1.485, 1.496, 1.503], [1.300, 1.458, 1.589, 1.617, 1.639],
     [1.277, 1.435, 1.578, 1.611, 1.640], [1.247, 1.394, 1.534, 1.567, 1.600]],
    [[1.301, 1.428, 1.511, 1.524, 1.532], [1.299, 1.463, 1.604, 1.635, 1.660],
     [1.271, 1.430, 1.578, 1.613, 1.645], [1.237, 1.381, 1.523, 1.557, 1.592]],
])


def _cell(axis, values):
    """Index of the lower grid point and the fraction towards the next, clipped to the grid."""
    values = np.clip(values, axis[0], axis[-1])
    i = np.clip(np.searchsorted(axis, values, side="right") - 1, 0, len(axis) - 2)
    return i, (values - axis[i]) / (axis[i + 1] - axis[i])


def backscatter(kvp, copper_mm, side_cm):
    """Backscatter factor for a beam of ``kvp`` with ``copper_mm`` of added copper and a
    square field of ``side_cm`` at the skin (arrays broadcast; nan kV counts as 80 kV,
    nan copper as none)."""
    kvp = np.asarray(kvp, dtype=float)
    kvp = np.where(np.isnan(kvp), DEFAULT_KVP, kvp)
    copper = np.nan_to_num(np.asarray(copper_mm, dtype=float))
    c, wc = _cell(BSF_COPPER, copper)
    k, wk = _cell(BSF_KVP, kvp)
    s, ws = _cell(BSF_SIDE, np.asarray(side_cm, dtype=float))
    result = 0.0
    for dc, fc in ((0, 1 - wc), (1, wc)):
        for dk, fk in ((0, 1 - wk), (1, wk)):
            for ds, fs in ((0, 1 - ws), (1, ws)):
                result = result + fc * fk * fs * BSF[c + dc, k + dk, s + ds]
    return result


def table_transmission(cos_to_vertical, transmission=TABLE_TRANSMISSION):
    """Transmission of the table and mattress for rays at this cosine to the vertical."""
    cos = np.clip(np.abs(cos_to_vertical), 1.0 / MAX_TABLE_PATH, 1.0)
    return transmission ** (1.0 / cos)
