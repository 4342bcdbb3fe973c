"""Patient identifiers as a site setting: which are stored and hashed (``identifiers``), and
the not-patient patterns that mark test and QA studies (``indicators``), with their admin
pages, the re-evaluation task and ``flask settings`` commands.

Importing applies both (``app.importing.identity``); this package changes them and says
what a change means for the studies already stored.
"""
from flask import Blueprint

bp = Blueprint("patients", __name__, url_prefix="/admin")

from . import views  # noqa: E402,F401  (registers the routes on bp)
