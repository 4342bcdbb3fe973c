"""The patient identifier settings: reading them, saying what a change does to stored
studies, and saving them.

A change applies to objects imported afterwards. Values already stored are never dropped or
rewritten by a change of setting alone: erasing stored names, IDs or birth dates, or hashing
stored plain values, is a separate action the administrator ticks, with the number of
studies it touches shown first.
"""
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update

from ..audit import record_audit
from ..extensions import db
from ..importing.identity import DEFAULT_FLAGS, hash_identifier
from ..models.settings import PatientIDSettings
from ..models.study import GeneralStudyModuleAttr as Study
from ..models.study import PatientModuleAttr as Patient

FLAGS = ("name_stored", "name_hashed", "id_stored", "id_hashed", "accession_hashed",
         "dob_stored")
LABELS = {
    "name_stored": "Store patient names",
    "name_hashed": "Hash patient names when storing them",
    "id_stored": "Store patient IDs",
    "id_hashed": "Hash patient IDs when storing them",
    "accession_hashed": "Hash accession numbers",
    "dob_stored": "Store birth dates",
}
#: Actions on stored values an administrator may choose with a change, and their labels.
ACTIONS = {
    "erase_names": "Erase the patient names already stored",
    "erase_ids": "Erase the patient IDs already stored",
    "erase_dobs": "Erase the birth dates already stored",
    "hash_names": "Hash the patient names stored in plain text",
    "hash_ids": "Hash the patient IDs stored in plain text",
    "hash_accessions": "Hash the accession numbers stored in plain text",
}
#: Rows hashed per statement when stored values are hashed.
CHUNK = 2000


def current() -> dict:
    """The settings in force: the saved row, or the defaults when none is saved."""
    row = db.session.scalars(select(PatientIDSettings).order_by(PatientIDSettings.id)
                             .limit(1)).first()
    if row is None:
        return dict(zip(FLAGS, DEFAULT_FLAGS))
    return {flag: bool(getattr(row, flag)) for flag in FLAGS}


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count(Patient.id)).where(*conditions)) or 0


def stored_counts() -> dict:
    """How many studies hold each kind of identifier, plain and hashed."""
    return {
        "names_plain": _count(Patient.patient_name.is_not(None), Patient.name_hashed.is_(False)),
        "names_hashed": _count(Patient.patient_name.is_not(None), Patient.name_hashed.is_(True)),
        "ids_plain": _count(Patient.patient_id.is_not(None), Patient.id_hashed.is_(False)),
        "ids_hashed": _count(Patient.patient_id.is_not(None), Patient.id_hashed.is_(True)),
        "dobs": _count(Patient.patient_birth_date.is_not(None)),
        "accessions_plain": db.session.scalar(select(func.count(Study.id)).where(
            Study.accession_number.is_not(None), Study.accession_hashed.is_(False))) or 0,
        "accessions_hashed": db.session.scalar(select(func.count(Study.id)).where(
            Study.accession_number.is_not(None), Study.accession_hashed.is_(True))) or 0,
    }


@dataclass
class Consequence:
    """What one changed setting means for stored studies, and the action that goes with it."""

    flag: str
    before: bool
    after: bool
    text: str
    action: str | None = None  # a key of ACTIONS offered with this change
    studies: int = 0  # studies the action would touch


def consequences(new: dict, old: dict | None = None) -> list[Consequence]:
    """One line per changed setting: what happens to the studies already stored."""
    old = old or current()
    counts = stored_counts()
    found = []

    def changed(flag):
        return bool(new[flag]) != bool(old[flag])

    for kind, stored, hashed, plain_key, hashed_key, erase, hash_action in (
            ("name", "name_stored", "name_hashed", "names_plain", "names_hashed",
             "erase_names", "hash_names"),
            ("ID", "id_stored", "id_hashed", "ids_plain", "ids_hashed", "erase_ids",
             "hash_ids")):
        total = counts[plain_key] + counts[hashed_key]
        if changed(stored) and not new[stored]:
            found.append(Consequence(
                stored, True, False,
                f"Patient {kind}s of objects imported from now on are not stored. The {total} "
                f"stud{'y' if total == 1 else 'ies'} already holding a patient {kind} keep it, "
                f"unless you also tick the erasure below (it cannot be undone).",
                erase if total else None, total))
        elif changed(stored):
            found.append(Consequence(
                stored, False, True,
                f"Patient {kind}s are stored for objects imported from now on"
                f"{' as SHA-256 digests' if new[hashed] else ' in plain text'}. Studies "
                f"already stored have none; re-import them to add it."))
        if changed(hashed) and new[hashed]:
            found.append(Consequence(
                hashed, False, True,
                f"Patient {kind}s imported from now on are stored as SHA-256 digests. The "
                f"{counts[plain_key]} stored in plain text stay readable unless you also tick "
                f"hashing them below (a digest cannot be turned back into the {kind}).",
                hash_action if counts[plain_key] and new[stored] else None, counts[plain_key]))
        elif changed(hashed):
            found.append(Consequence(
                hashed, True, False,
                f"Patient {kind}s imported from now on are stored in plain text. The "
                f"{counts[hashed_key]} stored as digests stay digests: they cannot be turned "
                f"back."))
    if changed("dob_stored") and not new["dob_stored"]:
        found.append(Consequence(
            "dob_stored", True, False,
            f"Birth dates of objects imported from now on are used for the age and not "
            f"stored. The {counts['dobs']} stored birth dates are kept unless you also tick "
            f"the erasure below.", "erase_dobs" if counts["dobs"] else None, counts["dobs"]))
    elif changed("dob_stored"):
        found.append(Consequence(
            "dob_stored", False, True,
            "Birth dates are stored for objects imported from now on. Studies already stored "
            "have none; re-import them to add it."))
    if changed("accession_hashed") and new["accession_hashed"]:
        found.append(Consequence(
            "accession_hashed", False, True,
            f"Accession numbers imported from now on are stored as SHA-256 digests (a list "
            f"filter finds them by the whole number). The {counts['accessions_plain']} stored "
            f"in plain text stay readable unless you also tick hashing them below.",
            "hash_accessions" if counts["accessions_plain"] else None,
            counts["accessions_plain"]))
    elif changed("accession_hashed"):
        found.append(Consequence(
            "accession_hashed", True, False,
            f"Accession numbers imported from now on are stored as sent. The "
            f"{counts['accessions_hashed']} stored as digests stay digests."))
    return found


def save(new: dict, actions=(), username: str | None = None) -> list[str]:
    """Save the settings, apply the chosen ``actions`` (keys of ACTIONS) to stored values,
    and audit both; the lines recorded."""
    old = current()
    new = {flag: bool(new.get(flag)) for flag in FLAGS}
    offered = {c.action for c in consequences(new, old) if c.action}
    lines = [f"{flag}: {old[flag]} -> {new[flag]}" for flag in FLAGS if old[flag] != new[flag]]
    row = db.session.scalars(select(PatientIDSettings).order_by(PatientIDSettings.id)
                             .limit(1)).first()
    if row is None:
        row = PatientIDSettings()
        db.session.add(row)
    for flag in FLAGS:
        setattr(row, flag, new[flag])
    for action in ACTIONS:
        if action in actions and action in offered:
            lines.append(f"{ACTIONS[action]}: {_apply(action)} studies")
    if lines:
        record_audit("settings.patient_identifiers", "patient identifier settings",
                     "\n".join(lines), username=username)
    db.session.commit()
    return lines


def _apply(action: str) -> int:
    """Carry out one action on stored values; the rows changed."""
    if action == "erase_names":
        return db.session.execute(update(Patient).where(Patient.patient_name.is_not(None))
                                  .values(patient_name=None, name_hashed=False)).rowcount
    if action == "erase_ids":
        return db.session.execute(update(Patient).where(
            (Patient.patient_id.is_not(None)) | (Patient.other_patient_ids.is_not(None)))
            .values(patient_id=None, id_hashed=False, other_patient_ids=None)).rowcount
    if action == "erase_dobs":
        return db.session.execute(update(Patient).where(Patient.patient_birth_date.is_not(None))
                                  .values(patient_birth_date=None)).rowcount
    if action == "hash_names":
        return _hash(Patient, Patient.patient_name, Patient.name_hashed)
    if action == "hash_ids":
        return _hash(Patient, Patient.patient_id, Patient.id_hashed)
    if action == "hash_accessions":
        return _hash(Study, Study.accession_number, Study.accession_hashed)
    raise ValueError(action)


def _hash(model, column, flag) -> int:
    """Replace plain values by their digests, a chunk of rows per statement.

    SQLite has no SHA-256 function, so digests are computed here; only the plain values are
    read, and each chunk is one executemany UPDATE.
    """
    table = model.__table__
    statement = (update(table).where(table.c.id == bindparam("row_id"))
                 .values({column.key: bindparam("digest"), flag.key: True}))
    done, last = 0, 0
    while True:
        rows = db.session.execute(
            select(model.id, column).where(column.is_not(None), flag.is_(False), model.id > last)
            .order_by(model.id).limit(CHUNK)).all()
        if not rows:
            return done
        db.session.execute(statement, [{"row_id": row_id, "digest": hash_identifier(value)}
                                       for row_id, value in rows])
        done += len(rows)
        last = rows[-1][0]
