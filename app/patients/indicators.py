"""Not-patient indicators: the patterns that mark a study as a test, QA or phantom object,
and their re-evaluation over the studies already stored.

Patterns are shell-style (``*`` any text, ``?`` one character) and ignore case; they match
the whole patient ID, or the whole patient name as DICOM writes it (``FAMILY^GIVEN``).

At import the patterns meet the name and ID as sent, before the identifier settings drop or
hash them, and the result is stored with the study (``not_patient_indicator`` on the patient
row, and the study's ``not_patient`` flag that the lists filter on). Re-evaluation
can only use what is stored: a name or ID kept in plain text is matched again; one that is
hashed or not stored cannot be, and that part of the study's indicator stays as it was set
at import. ``reevaluate`` says how many studies it could not check.
"""
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, select, update

from ..audit import record_audit
from ..extensions import db
from ..importing.lookups import settings_changed
from ..importing.identity import (DEFAULT_ID_PATTERNS, DEFAULT_NAME_PATTERNS,
                                  not_patient_indicator, not_patient_patterns)
from ..models.settings import NotPatientIndicatorsID, NotPatientIndicatorsName
from ..models.study import GeneralStudyModuleAttr as Study
from ..models.study import PatientModuleAttr as Patient

#: Patient rows read and written per step of a re-evaluation.
CHUNK = 2000
_IDS, _NAMES = "IDs: ", "Names: "


def clean(patterns) -> list[str]:
    """Patterns as saved: stripped, empty ones and repeats (ignoring case) left out."""
    seen, kept = set(), []
    for pattern in patterns:
        pattern = (pattern or "").strip()[:256]
        if pattern and pattern.lower() not in seen:
            seen.add(pattern.lower())
            kept.append(pattern)
    return kept


def patterns() -> tuple[list[str], list[str]]:
    """(ID patterns, name patterns) in force."""
    return not_patient_patterns(db.session)


def save_patterns(id_patterns, name_patterns, username: str | None = None) -> bool:
    """Replace both lists of patterns (audited); True when anything changed."""
    old_ids, old_names = patterns()
    new_ids, new_names = clean(id_patterns), clean(name_patterns)
    if (old_ids, old_names) == (new_ids, new_names):
        return False
    settings_changed(db.session)
    db.session.execute(delete(NotPatientIndicatorsID))
    db.session.execute(delete(NotPatientIndicatorsName))
    db.session.add_all(NotPatientIndicatorsID(not_patient_id=p) for p in new_ids)
    db.session.add_all(NotPatientIndicatorsName(not_patient_name=p) for p in new_names)
    record_audit("settings.not_patient", "not-patient patterns",
                 f"ID patterns: {old_ids} -> {new_ids}\nName patterns: {old_names} -> {new_names}",
                 username=username)
    db.session.commit()
    return True


def restore_defaults(username: str | None = None) -> bool:
    """Put the default patterns back (audited)."""
    return save_patterns(DEFAULT_ID_PATTERNS, DEFAULT_NAME_PATTERNS, username=username)


@dataclass
class Reevaluation:
    """How a re-evaluation went."""

    checked: int = 0  # studies with a plain name or ID to match
    marked: int = 0  # now marked, not before
    unmarked: int = 0  # marked before, not now
    changed: int = 0  # indicator text changed (includes marked and unmarked)
    unchecked: int = 0  # studies with neither a plain name nor a plain ID: left as they were

    def summary(self) -> str:
        """One line for people."""
        return (f"{self.checked} studies checked: {self.marked} newly marked as test data, "
                f"{self.unmarked} no longer marked, {self.changed} changed in all; "
                f"{self.unchecked} could not be checked (no patient name or ID stored in "
                f"plain text) and keep the mark set at import")


def _parts(indicator: str | None) -> dict:
    parts = {}
    for part in (indicator or "").split(" | "):
        for prefix in (_IDS, _NAMES):
            if part.startswith(prefix):
                parts[prefix] = part
    return parts


def reindicate(indicator, patient_id, patient_name, id_patterns, name_patterns):
    """The indicator a stored study gets: the parts that can be matched again (``None``
    values are not matchable) are recomputed, the others kept from ``indicator``."""
    fresh = _parts(not_patient_indicator(patient_id, patient_name, id_patterns, name_patterns))
    kept = _parts(indicator)
    result = []
    for prefix, value in ((_IDS, patient_id), (_NAMES, patient_name)):
        part = fresh.get(prefix) if value is not None else kept.get(prefix)
        if part:
            result.append(part)
    return " | ".join(result) or None


def reevaluate(progress=None) -> Reevaluation:
    """Match the patterns in force against every study's stored plain name and ID.

    Works through the patient rows in chunks of ``CHUNK``, committing each; ``progress(done,
    total)`` is called after each chunk.
    """
    id_patterns, name_patterns = (tuple(p) for p in patterns())
    result = Reevaluation()
    plain_name = (Patient.patient_name.is_not(None)) & (Patient.name_hashed.is_(False))
    plain_id = (Patient.patient_id.is_not(None)) & (Patient.id_hashed.is_(False))
    total = db.session.scalar(select(func.count(Patient.id))) or 0
    result.unchecked = db.session.scalar(
        select(func.count(Patient.id)).where(~plain_name, ~plain_id)) or 0
    statement = (update(Patient.__table__).where(Patient.__table__.c.id == bindparam("row_id"))
                 .values(not_patient_indicator=bindparam("indicator")))
    done, last = 0, 0
    while True:
        rows = db.session.execute(
            select(Patient.id, Patient.patient_id, Patient.id_hashed, Patient.patient_name,
                   Patient.name_hashed, Patient.not_patient_indicator,
                   Patient.general_study_module_attr_id)
            .where(Patient.id > last).order_by(Patient.id).limit(CHUNK)).all()
        if not rows:
            break
        changes, studies = [], set()
        for row_id, pid, id_hashed, name, name_hashed, indicator, study_id in rows:
            pid = None if id_hashed else pid
            name = None if name_hashed else name
            if pid is None and name is None:
                continue
            result.checked += 1
            new = reindicate(indicator, pid, name, id_patterns, name_patterns)
            if new != indicator:
                changes.append({"row_id": row_id, "indicator": new})
                studies.add(study_id)
                result.changed += 1
                if indicator is None:
                    result.marked += 1
                elif new is None:
                    result.unmarked += 1
        if changes:
            db.session.execute(statement, changes)
            mark_studies(studies)
        db.session.commit()
        done += len(rows)
        last = rows[-1][0]
        if progress is not None:
            progress(done, total)
    return result


def mark_studies(study_ids) -> None:
    """Set ``not_patient`` of these studies from their patient rows' indicators (the copy the
    list filter reads)."""
    marked = (select(Patient.id).where(Patient.general_study_module_attr_id == Study.id,
                                      Patient.not_patient_indicator.is_not(None)).exists())
    for chunk in _chunks(sorted(i for i in study_ids if i is not None)):
        db.session.execute(update(Study).where(Study.id.in_(chunk)).values(not_patient=marked)
                           .execution_options(synchronize_session=False))


def _chunks(values, size=CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def record_reevaluation(result: Reevaluation, username: str | None = None) -> None:
    """Audit a finished re-evaluation (it changes stored studies)."""
    record_audit("settings.not_patient_reevaluate", "stored studies", result.summary(),
                 username=username)
    db.session.commit()
