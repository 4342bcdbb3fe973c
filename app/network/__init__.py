"""Kerma's DICOM receiver: the Store SCP (``flask dicom listen``), its settings and admin pages.

``scp.py`` answers associations and spools what it receives; ``listener.py`` keeps it running
with the settings of ``settings.py``; ``views.py`` holds the DICOM settings and quarantine
pages. Importing is the worker's job (``app.tasks``).
"""
from flask import Blueprint

bp = Blueprint("network", __name__, url_prefix="/admin/dicom")

from . import views  # noqa: E402,F401  (registers the views on bp)
