"""Patients: the identifiers Kerma keeps of them and the studies they had.

- Patient identifiers as a site setting: which are stored and hashed (``identifiers``), and
  the not-patient patterns that mark test and QA studies (``indicators``), with their admin
  pages (``settings_views``), the re-evaluation task and ``flask settings`` commands.
  Importing applies both (``app.importing.identity``); this package changes them and says
  what a change means for the studies already stored.
- One patient's studies across modalities, with doses summed over a period (``history``),
  who may see them (``identity``), and the patient page reached through a study
  (``patient_page``).
"""
from flask import Blueprint

bp = Blueprint("patients", __name__)

from . import patient_page, settings_views  # noqa: E402,F401  (register the routes on bp)
