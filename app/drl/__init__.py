"""Diagnostic reference levels: DRL sets as data, standard names, and the comparison of
stored doses with them (``comparison``), with its pages and ``flask drl`` commands."""
from flask import Blueprint

bp = Blueprint("drl", __name__, url_prefix="/drl")

from . import views  # noqa: E402,F401  (registers the routes on bp)
