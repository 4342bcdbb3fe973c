"""Equipment: every device identity seen, its display name, its user-defined modality and
whether an administrator has reviewed it (``identities``), with its admin page and
``flask equipment`` commands."""
from flask import Blueprint

bp = Blueprint("equipment", __name__, url_prefix="/admin/equipment")

from . import calibration_views, views  # noqa: E402,F401  (registers the routes on bp)
