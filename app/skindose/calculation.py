"""Projecting irradiation events onto the phantom's skin: every event on every cell at once.

Room frame (mm), origin at the isocentre, for the C-arm's conventions of TID 10003 and the
Positioner Primary/Secondary Angle of PS3.3 C.8.7.5: X towards the left of a supine,
head-first patient, Y up (anterior of that patient), Z towards the head.

* The beam points from the source through the isocentre towards the detector along
  ``d = (sin a cos b, cos a cos b, sin b)`` for primary angle ``a`` (RAO negative, LAO
  positive: at LAO 90 the detector is at the patient's left) and secondary angle ``b``
  (caudal negative, cranial positive). At 0/0 the source is under the table and the beam
  enters the patient's back (a PA projection).
* The source is at ``-DSI d``; the interventional reference point is on the axis, 150 mm from
  the isocentre towards the source (IEC 60601-2-43), unless the event gives its own distance
  source to reference point.
* The collimated field's width and height are given at the detector plane; its edges are
  taken as the C-arm's lateral axis ``u = (cos a, -sin a, 0)`` and ``v = d x u``. A cell is in
  the field when the ray from the source to it lies within the field's pyramid.
* A cell is irradiated when it faces the source (outward normal against the ray): the trunk
  is convex, so that is the beam's entrance skin.
* The phantom moves with the table: the first event that has table positions puts the
  isocentre on the phantom's axis at ``ISOCENTRE_FRACTION`` of its length; later events move
  it by their table displacements from that one (lateral positive towards the patient's left
  for a supine head-first patient, longitudinal positive towards the head, height positive
  downwards, as TID 10003c defines them).
* Patient position (head or feet first, supine or prone) mirrors the phantom in the room.

Dose to a cell = K(RP) x (d_RP / d_cell)^2 x BSF x f x T(table), with T only when the source
is under the table top (the phantom's posterior surface at the first event).
"""
from dataclasses import dataclass

import numpy as np

from . import factors

ISOCENTRE_FRACTION = 0.5
IRP_FROM_ISOCENTRE = 150.0  # mm, towards the source
CHUNK = 32  # events per numpy step: bounds memory at CHUNK x cells x 3 doubles


@dataclass
class Beams:
    """One entry per irradiation event, numpy arrays of equal length (mm, degrees, Gy)."""

    dose_rp: np.ndarray
    primary: np.ndarray
    secondary: np.ndarray
    source_to_isocentre: np.ndarray
    source_to_rp: np.ndarray
    source_to_detector: np.ndarray
    field_width: np.ndarray
    field_height: np.ndarray
    table: np.ndarray  # (n, 3): lateral, longitudinal, height; nan when not sent
    kvp: np.ndarray  # kV; nan when not sent
    copper: np.ndarray  # mm of added copper filtration
    mirror: np.ndarray  # (n, 3): +1/-1 per patient axis (feet first, prone)

    def __len__(self):
        return len(self.dose_rp)

    @classmethod
    def of(cls, rows: list[dict]) -> "Beams":
        """Beams from dicts with the fields' names (``table`` a 3-tuple, ``mirror`` too)."""
        def column(name, default=np.nan):
            return np.array([r.get(name, default) if r.get(name) is not None else default
                             for r in rows], dtype=float)
        n = len(rows)
        return cls(
            dose_rp=column("dose_rp"), primary=column("primary"),
            secondary=column("secondary"),
            source_to_isocentre=column("source_to_isocentre"),
            source_to_rp=column("source_to_rp"),
            source_to_detector=column("source_to_detector"),
            field_width=column("field_width"), field_height=column("field_height"),
            table=np.array([r.get("table") or (np.nan,) * 3 for r in rows],
                           dtype=float).reshape(n, 3),
            kvp=column("kvp"), copper=column("copper", 0.0),
            mirror=np.array([r.get("mirror") or (1, 1, 1) for r in rows],
                            dtype=float).reshape(n, 3))


def directions(primary, secondary):
    """Beam direction ``d`` and the field axes ``u``, ``v`` (each (n, 3))."""
    a, b = np.radians(primary), np.radians(secondary)
    d = np.stack([np.sin(a) * np.cos(b), np.cos(a) * np.cos(b), np.sin(b)], axis=1)
    u = np.stack([np.cos(a), -np.sin(a), np.zeros_like(a)], axis=1)
    v = np.cross(d, u)
    return d, u, v


def table_offsets(table):
    """Each event's displacement of the patient in the room (n, 3; X, Y, Z) from the first
    event with table positions; components not sent count as no movement."""
    lateral, longitudinal, height = table[:, 0], table[:, 1], table[:, 2]
    offsets = np.zeros_like(table)
    for axis, values, sign in ((0, lateral, 1.0), (2, longitudinal, 1.0), (1, height, -1.0)):
        known = ~np.isnan(values)
        if known.any():
            first = values[known][0]
            offsets[:, axis] = np.where(known, sign * (values - first), 0.0)
    return offsets


def skin_dose(phantom, beams: Beams, table_transmission=factors.TABLE_TRANSMISSION):
    """The dose (Gy) to each skin cell, shape ``phantom.shape``."""
    total = np.zeros(len(phantom.centres))
    if len(beams) == 0:
        return total.reshape(phantom.shape)
    d, u, v = directions(beams.primary, beams.secondary)
    offsets = table_offsets(beams.table)
    dsi = beams.source_to_isocentre
    drp = np.where(np.isnan(beams.source_to_rp), dsi - IRP_FROM_ISOCENTRE, beams.source_to_rp)
    half_w = beams.field_width / (2 * beams.source_to_detector)  # tangent of half-angle
    half_h = beams.field_height / (2 * beams.source_to_detector)
    side_cm = np.sqrt(beams.field_width * beams.field_height) * drp / beams.source_to_detector / 10
    bsf = factors.backscatter(beams.kvp, beams.copper, side_cm)
    weight = beams.dose_rp * drp**2 * bsf * factors.TISSUE_TO_AIR
    source = -dsi[:, None] * d
    table_top = -phantom.depth / 2 + offsets[:, 1]
    under_table = source[:, 1] < table_top
    isocentre = np.array([0.0, 0.0, ISOCENTRE_FRACTION * phantom.length])
    for start in range(0, len(beams), CHUNK):
        s = slice(start, start + CHUNK)
        m = beams.mirror[s][:, None, :]
        cells = (phantom.centres - isocentre)[None, :, :] * m + offsets[s][:, None, :]
        normals = phantom.normals[None, :, :] * m
        ray = cells - source[s][:, None, :]
        depth = np.einsum("eck,ek->ec", ray, d[s])
        across = np.einsum("eck,ek->ec", ray, u[s])
        along = np.einsum("eck,ek->ec", ray, v[s])
        inside = ((depth > 0) & (np.abs(across) <= depth * half_w[s][:, None])
                  & (np.abs(along) <= depth * half_h[s][:, None])
                  & (np.einsum("eck,eck->ec", ray, normals) < 0))
        distance2 = np.einsum("eck,eck->ec", ray, ray)
        dose = weight[s][:, None] / distance2
        cos_vertical = np.abs(ray[:, :, 1]) / np.sqrt(distance2)
        transmitted = np.where(under_table[s][:, None],
                               factors.table_transmission(cos_vertical, table_transmission), 1.0)
        total += np.where(inside, dose * transmitted, 0.0).sum(axis=0)
    return total.reshape(phantom.shape)
