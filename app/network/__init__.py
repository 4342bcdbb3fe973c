"""Kerma's DICOM receiver: the Store SCP (``flask dicom listen``), its settings and admin pages.

``scp.py`` answers associations and spools what it receives; ``listener.py`` keeps it running
with the settings of ``settings.py``; ``views.py`` holds the DICOM settings and quarantine
pages. Importing is the worker's job (``app.tasks``).

Query-retrieve brings dose objects from PACS into the same spool and queue: ``nodes.py`` talks
to remote nodes, ``selection.py`` decides what to retrieve, ``queries.py`` runs queries in
resumable stages, ``schedules.py`` runs them daily; ``qr_views.py`` and ``qr_cli.py`` are
their pages and ``flask qr`` commands.
"""
from flask import Blueprint

bp = Blueprint("network", __name__, url_prefix="/admin/dicom")

from . import qr_views, views  # noqa: E402,F401  (registers the views on bp)
