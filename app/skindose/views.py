"""The skin dose map of one study as JSON, for the RF study page's charts."""
import numpy as np
from flask import Blueprint, abort, jsonify
from sqlalchemy import select

from ..auth.roles import role_required
from ..extensions import db
from ..models.skindose import COMPUTED, SkinDoseMap
from .maps import decode

bp = Blueprint("skindose", __name__, url_prefix="/skindose")


def _ellipse(width, depth, columns):
    """The (x, y) of each column's centre around the trunk, as ``phantom.build`` cuts it."""
    a, b = width / 2, depth / 2
    fine = np.linspace(0.0, 2 * np.pi, 4097)
    fx, fy = a * np.sin(fine), -b * np.cos(fine)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(fx), np.diff(fy)))])
    t = np.interp((np.arange(columns) + 0.5) * arc[-1] / columns, arc, fine)
    return a * np.sin(t), -b * np.cos(t), float(arc[-1])


def payload(row: SkinDoseMap) -> dict:
    """What the charts draw: the grid (mGy, rounded), the phantom and the figures."""
    found = {"status": row.status, "message": row.message,
             "peak_skin_dose_gy": row.peak_skin_dose, "events_used": row.events_used,
             "events_skipped": row.events_skipped, "method_version": row.method_version,
             "computed_at": row.computed_at.isoformat() if row.computed_at else None,
             "phantom": {"width_mm": row.phantom_width, "depth_mm": row.phantom_depth,
                         "length_mm": row.phantom_length, "height_m": row.patient_height,
                         "weight_kg": row.patient_weight,
                         "size_defaulted": row.size_defaulted}}
    if row.status == COMPUTED and row.grid is not None:
        grid = decode(row.grid)
        x, y, perimeter = _ellipse(row.phantom_width, row.phantom_depth, row.grid_columns)
        found.update(
            rows=row.grid_rows, columns=row.grid_columns, perimeter_mm=perimeter,
            x_mm=np.round(x, 1).tolist(), y_mm=np.round(y, 1).tolist(),
            z_mm=np.round((np.arange(row.grid_rows) + 0.5) * row.phantom_length
                          / row.grid_rows, 1).tolist(),
            dose_mgy=np.round(grid * 1000.0, 3).tolist())
    return found


@bp.get("/<int:study_id>.json")
@role_required()
def study_map(study_id):
    """The stored skin dose map of a study; 404 when none has been computed."""
    row = db.session.scalars(select(SkinDoseMap).where(
        SkinDoseMap.general_study_module_attr_id == study_id)).first()
    if row is None:
        abort(404, description="No skin dose map has been computed for this study.")
    return jsonify(payload(row))
