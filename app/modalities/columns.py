"""List columns shared by the modality pages, and the helpers their values are read with.

A column's value function receives one study whose equipment (and whatever the modality's
``list_options`` load) is already in memory, so reading it runs no query.
"""
from .base import Column
from .filtering import CGYCM2_PER_GYM2


def equipment(study):
    """The study's first General Equipment row, or None (an import that failed early)."""
    rows = study.generalequipmentmoduleattr_set
    return rows[0] if rows else None


def equipment_value(name):
    """A value function reading one field of the study's equipment row."""
    def value(study):
        row = equipment(study)
        return getattr(row, name) if row is not None else None
    return value


def display_name(study):
    """The display name of the study's device."""
    row = equipment(study)
    identity = row.unique_equipment_name if row is not None else None
    return identity.display_name if identity is not None else None


def accession(study):
    """The accession number, or "hidden" when only its digest is stored."""
    if study.accession_hashed and study.accession_number:
        return "hidden"
    return study.accession_number


def cgycm2(gym2):
    """A DAP in cGy·cm² from its stored value in Gy·m²."""
    return None if gym2 is None else gym2 * CGYCM2_PER_GYM2


def peak_skin_dose(study):
    """The peak skin dose (Gy) of the study's skin dose map, or None (loaded by
    ``app.modalities.loading.SKIN_DOSE``)."""
    return study.peak_skin_dose


def highest_ssde(study):
    """The highest SSDE (mGy) Kerma computed for the study's CT events, or None (loaded by
    ``app.modalities.loading.SSDE_VALUES``)."""
    return study.highest_ssde


def parts(study, fields, scale=1.0):
    """Labelled values of several fields, e.g. per plane ``[("A", x), ("B", y)]``.

    ``fields`` is a sequence of (label, field name); fields without a value are left out.
    """
    shown = []
    for label, name in fields:
        value = getattr(study, name)
        if value is not None:
            shown.append((label, value * scale))
    return shown


INSTITUTION = Column("Institution", equipment_value("institution_name"), sort="institution")
MAKE = Column("Make", equipment_value("manufacturer"), sort="manufacturer")
MODEL = Column("Model", equipment_value("manufacturer_model_name"), sort="model")
DISPLAY_NAME = Column("Display name", display_name, sort="display_name")
DATE = Column("Date", lambda s: (s.study_date, s.study_time), sort="date", kind="datetime")
STUDY_DESCRIPTION = Column("Study description", lambda s: s.study_description,
                           sort="study_description")
PROCEDURE = Column("Procedure", lambda s: s.procedure_code_meaning, sort="procedure")
REQUESTED_PROCEDURE = Column("Requested procedure",
                             lambda s: s.requested_procedure_code_meaning)
ACCESSION = Column("Accession number", accession, sort="accession")
EVENTS = Column("Number of events", lambda s: s.number_of_events, sort="events", kind="number")

#: The columns every modality list starts with, as OpenREM shows them.
LEADING = (INSTITUTION, MAKE, MODEL, DISPLAY_NAME, DATE, STUDY_DESCRIPTION, PROCEDURE,
           REQUESTED_PROCEDURE, ACCESSION)
