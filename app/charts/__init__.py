"""Charts of each modality's studies, with the list's filters: the numbers are aggregated in
the database (``data``), drawn in the browser by ECharts (vendored, ``static/vendor``)."""
from flask import Blueprint

bp = Blueprint("charts", __name__, url_prefix="/charts")

from . import views  # noqa: E402,F401  (registers the routes on bp)
