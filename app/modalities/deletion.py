"""Deleting studies: the whole tree, with an audit entry, in the caller's transaction.

Every child table's foreign key is ``ON DELETE CASCADE``, so deleting the study row lets
the database remove the tree below it (patient, equipment, dose reports, events and their
details) in the same statement. Shared rows stay: equipment identities with their display
names, and coded concepts. The patient sizes kept by Study Instance UID for SSDE (CT
localizer profiles, size-import rows: ``app.models.ssde``) go with the last study of their
UID.
"""
from sqlalchemy import Select, delete, select

from .. import tally
from ..audit import record_audit
from ..extensions import db
from ..models.ssde import CtLocalizerProfile, StudySizeImport
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
    _forget_sizes([study.study_instance_uid])


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
    _forget_sizes([row.study_instance_uid for row in rows])
    lines = [describe(row.study_instance_uid, row.accession_number, row.study_date,
                      row.modality_type, row.accession_hashed) for row in rows]
    record_audit("delete_studies", target=f"{len(rows)} {title} studies"[:255],
                 details="\n".join([f"Filter: {filter_text or 'none (every study)'}", *lines]))
    return len(rows)


def _forget_sizes(uids) -> None:
    """Delete the SSDE sizes of these Study Instance UIDs that no stored study has now."""
    uids = sorted({uid for uid in uids if uid})
    for start in range(0, len(uids), CHUNK):
        part = uids[start:start + CHUNK]
        still = set(db.session.scalars(select(Study.study_instance_uid)
                                       .where(Study.study_instance_uid.in_(part))))
        gone = [uid for uid in part if uid not in still]
        if gone:
            for model in (CtLocalizerProfile, StudySizeImport):
                db.session.execute(delete(model).where(model.study_instance_uid.in_(gone)),
                                   execution_options={"synchronize_session": False})
