"""Patient identifiers: the site's storage policy and the test-patient indicator.

Names, IDs and birth dates arrive in every record as sent. Before anything is stored, the
not-patient patterns are matched against the raw values, then the values are dropped or
replaced by their SHA-256 digest as PatientIDSettings say (read through ``lookups``, which
keeps them for a few seconds between imports).
"""
import fnmatch
import hashlib
from typing import NamedTuple

from sqlalchemy import select

from ..models.settings import NotPatientIndicatorsID, NotPatientIndicatorsName, PatientIDSettings
from . import lookups

#: The patterns OpenREM 0.7.4 shipped, offered as the defaults.
DEFAULT_ID_PATTERNS = ("*phy*", "*test*", "*qa*")
DEFAULT_NAME_PATTERNS = ("*phys*", "*test*", "*qa*")


def hash_identifier(value: str) -> str:
    """SHA-256 hex digest of an identifier's UTF-8 text."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class Policy(NamedTuple):
    """The identifier settings and not-patient patterns an import applies."""

    name_stored: bool
    name_hashed: bool
    id_stored: bool
    id_hashed: bool
    accession_hashed: bool
    dob_stored: bool
    id_patterns: tuple[str, ...]
    name_patterns: tuple[str, ...]


#: The flags when no settings row has been saved: identifiers are not stored (hashed if
#: storing is enabled).
DEFAULT_FLAGS = (False, True, False, True, False, False)


def not_patient_patterns(session) -> tuple[list[str], list[str]]:
    """(ID patterns, name patterns) configured for test-patient detection, in saved order."""
    ids = session.scalars(select(NotPatientIndicatorsID.not_patient_id)
                          .order_by(NotPatientIndicatorsID.id)).all()
    names = session.scalars(select(NotPatientIndicatorsName.not_patient_name)
                            .order_by(NotPatientIndicatorsName.id)).all()
    return list(ids), list(names)


def read_policy(session) -> Policy:
    """The site's identifier settings (defaults when none are saved) and its patterns."""
    row = session.execute(select(
        PatientIDSettings.name_stored, PatientIDSettings.name_hashed,
        PatientIDSettings.id_stored, PatientIDSettings.id_hashed,
        PatientIDSettings.accession_hashed, PatientIDSettings.dob_stored,
    ).order_by(PatientIDSettings.id).limit(1)).first()
    flags = DEFAULT_FLAGS if row is None else tuple(bool(value) for value in row)
    ids, names = not_patient_patterns(session)
    return Policy(*flags, tuple(p for p in ids if p), tuple(p for p in names if p))


def seed_default_patterns(session):
    """Add the default not-patient patterns when none are configured."""
    ids, names = not_patient_patterns(session)
    if not ids and not names:
        session.add_all(NotPatientIndicatorsID(not_patient_id=p) for p in DEFAULT_ID_PATTERNS)
        session.add_all(NotPatientIndicatorsName(not_patient_name=p) for p in DEFAULT_NAME_PATTERNS)


def not_patient_indicator(patient_id, patient_name, id_patterns, name_patterns) -> str | None:
    """Which patterns say this is a test or QA object, as ``IDs: … | Names: …``, or None.

    Patterns are matched case-insensitively against the ID and against the name as DICOM
    writes it (``family^given``), as the settings page documents.
    """
    found = []
    if patient_id:
        hits = [p for p in id_patterns if fnmatch.fnmatchcase(patient_id.lower(), p.lower())]
        if hits:
            found.append("IDs: " + ", ".join(hits))
    if patient_name:
        hits = [p for p in name_patterns if fnmatch.fnmatchcase(patient_name.lower(), p.lower())]
        if hits:
            found.append("Names: " + ", ".join(hits))
    return " | ".join(found) or None


def apply_policy(record: dict, session):
    """Set the not-patient indicator, then drop or hash identifiers as the site decided."""
    settings = lookups.policy(session, read_policy)
    id_patterns, name_patterns = settings.id_patterns, settings.name_patterns
    record["not_patient"] = False
    for patient in record.get("patientmoduleattr_set") or ():
        name, pid = patient.get("patient_name"), patient.get("patient_id")
        patient["not_patient_indicator"] = not_patient_indicator(
            pid, name, id_patterns, name_patterns)
        record["not_patient"] = record["not_patient"] or patient["not_patient_indicator"] is not None
        patient["patient_name"], patient["name_hashed"] = _keep(
            name, settings.name_stored, settings.name_hashed)
        patient["patient_id"], patient["id_hashed"] = _keep(
            pid, settings.id_stored, settings.id_hashed)
        if not settings.dob_stored:
            patient["patient_birth_date"] = None
        if patient.get("other_patient_ids") and not settings.id_stored:
            patient["other_patient_ids"] = None
        elif patient.get("other_patient_ids") and settings.id_hashed:
            patient["other_patient_ids"] = hash_identifier(patient["other_patient_ids"])
    accession = record.get("accession_number")
    record["accession_hashed"] = bool(accession and settings.accession_hashed)
    if record["accession_hashed"]:
        record["accession_number"] = hash_identifier(accession)


def _keep(value, stored, hashed):
    if not value or not stored:
        return None, False
    if hashed:
        return hash_identifier(value), True
    return value, False
