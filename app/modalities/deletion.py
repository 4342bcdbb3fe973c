"""Deleting studies: the whole tree, with an audit entry, in the caller's transaction.

Every child table's foreign key is ``ON DELETE CASCADE``, so deleting the study row lets
the database remove the tree below it (patient, equipment, dose reports, events and their
details) in the same statement. Shared rows stay: equipment identities with their display
names, and coded concepts.
"""
from sqlalchemy import Select, delete

from .. import tally
from ..audit import record_audit
from ..extensions import db
from ..models.study import GeneralStudyModuleAttr as Study

#: Studies deleted per statement in a bulk deletion (keeps parameter lists modest).
CHUNK = 500


def describe(uid, accession, date, modality, hashed=False) -> str:
    """One line naming a study for the audit log: UID, accession, date, modality."""
    shown = "(hashed) " + accession if hashed and accession else accession
    return (f"Study Instance UID {uid or '(none)'}; accession {shown or '(none)'}; "
            f"date {date.isoformat() if date else '(none)'}; modality {modality or '(none)'}")


def delete_study(study: Study) -> None:
    """Delete one study and its tree, and audit it; the caller commits."""
    record_audit("delete_study", target=f"study {study.study_instance_uid or study.id}"[:255],
                 details=describe(study.study_instance_uid, study.accession_number,
                                  study.study_date, study.modality_type, study.accession_hashed))
    counted_as = tally.key_of_study(study)
    db.session.execute(delete(Study).where(Study.id == study.id),
                       execution_options={"synchronize_session": False})
    db.session.expunge(study)
    tally.count(db.session, [counted_as], -1)


def delete_matching(query: Select, title: str, filter_text: str) -> int:
    """Delete every study ``query`` selects with one summarising audit entry; returns how many.

    The entry names the filter and lists each study deleted (UID, accession, date,
    modality). The caller commits, so the deletion and its record stand or fall together.
    """
    rows = db.session.execute(
        query.with_only_columns(Study.id, Study.study_instance_uid, Study.accession_number,
                                Study.study_date, Study.modality_type, Study.accession_hashed)
        .order_by(None)
    ).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    counted_as = tally.keys_of_studies(db.session, ids)
    for start in range(0, len(ids), CHUNK):
        db.session.execute(delete(Study).where(Study.id.in_(ids[start:start + CHUNK])),
                           execution_options={"synchronize_session": False})
    tally.count(db.session, counted_as, -1)
    lines = [describe(row.study_instance_uid, row.accession_number, row.study_date,
                      row.modality_type, row.accession_hashed) for row in rows]
    record_audit("delete_studies", target=f"{len(rows)} {title} studies"[:255],
                 details="\n".join([f"Filter: {filter_text or 'none (every study)'}", *lines]))
    return len(rows)
