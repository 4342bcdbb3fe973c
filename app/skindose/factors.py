"""Correction factors from incident air kerma to skin dose (docs/skin-dose.md, "Factors").

* Backscatter: ``backscatter(hvl, side)``, bilinear in the first half-value layer (mm Al)
  and the side of the square field at the skin (cm), from a coarse reading (two decimals) of
  the Monte Carlo backscatter factors for a water phantom of Petoussi-Henss et al., Phys Med
  Biol 43 (1998) 2237-2250, as tabulated in IAEA Technical Reports Series No. 457 (2007).
  Outside the table the nearest edge value is used.
* Half-value layer when the event has none: ``estimated_hvl(kvp, copper)``, the IEC 61267
  RQR beam qualities' HVL at the event's kVp (no added copper), plus 5 mm Al per mm of added
  copper, at most 0.9 mm Cu counted. A rough figure: it only chooses a backscatter factor,
  which changes by about 0.02 per mm Al in this range.
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

# Rows: first HVL (mm Al); columns: square field side at the skin (cm).
BSF_HVL = np.array([2.0, 3.0, 4.0, 5.0, 6.0, 8.0])
BSF_SIDE = np.array([5.0, 10.0, 20.0, 30.0])
BSF = np.array([
    [1.20, 1.28, 1.32, 1.33],
    [1.23, 1.33, 1.39, 1.40],
    [1.25, 1.37, 1.44, 1.46],
    [1.26, 1.39, 1.48, 1.50],
    [1.27, 1.41, 1.50, 1.52],
    [1.28, 1.43, 1.53, 1.56],
])

# IEC 61267 RQR 2-10: tube voltage (kV) and first HVL (mm Al).
RQR_KVP = np.array([40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 120.0, 150.0])
RQR_HVL = np.array([1.42, 1.78, 2.19, 2.58, 3.01, 3.48, 3.97, 5.00, 6.57])
HVL_PER_MM_CU = 5.0
MAX_COPPER = 0.9  # mm


def estimated_hvl(kvp, copper_mm):
    """The first HVL (mm Al) of a beam of ``kvp`` with ``copper_mm`` of added copper."""
    kvp = np.asarray(kvp, dtype=float)
    copper = np.clip(np.nan_to_num(np.asarray(copper_mm, dtype=float)), 0.0, MAX_COPPER)
    return np.interp(kvp, RQR_KVP, RQR_HVL) + HVL_PER_MM_CU * copper


def backscatter(hvl, side_cm):
    """Backscatter factor for a first HVL (mm Al) and square field side at the skin (cm)."""
    hvl = np.clip(np.asarray(hvl, dtype=float), BSF_HVL[0], BSF_HVL[-1])
    side = np.clip(np.asarray(side_cm, dtype=float), BSF_SIDE[0], BSF_SIDE[-1])
    i = np.clip(np.searchsorted(BSF_HVL, hvl, side="right") - 1, 0, len(BSF_HVL) - 2)
    j = np.clip(np.searchsorted(BSF_SIDE, side, side="right") - 1, 0, len(BSF_SIDE) - 2)
    u = (hvl - BSF_HVL[i]) / (BSF_HVL[i + 1] - BSF_HVL[i])
    v = (side - BSF_SIDE[j]) / (BSF_SIDE[j + 1] - BSF_SIDE[j])
    return ((1 - u) * (1 - v) * BSF[i, j] + u * (1 - v) * BSF[i + 1, j]
            + (1 - u) * v * BSF[i, j + 1] + u * v * BSF[i + 1, j + 1])


def table_transmission(cos_to_vertical, transmission=TABLE_TRANSMISSION):
    """Transmission of the table and mattress for rays at this cosine to the vertical."""
    cos = np.clip(np.abs(cos_to_vertical), 1.0 / MAX_TABLE_PATH, 1.0)
    return transmission ** (1.0 / cos)
