"""Keeping the study tally (``app.models.tally``) in step with the stored studies.

A study counts once under its key: modality type, device identity (the lowest identity of its
equipment rows; the importer stores one) and study date. Whatever adds or removes a study, or
changes its key, calls ``count`` in the same transaction: the importer, the deletions and the
synthetic population. ``rebuild`` recounts everything from the study table, for a database
changed behind Kerma's back (``flask studies recount``).
"""
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import bindparam, delete, func, insert, literal, select, text, update

from .models.study import GeneralEquipmentModuleAttr as Equipment
from .models.study import GeneralStudyModuleAttr as Study
from .models.tally import NO_DATE, NO_DEVICE, StudyTally

#: Study ids per look-up statement.
CHUNK = 500
#: Above this many distinct keys a change recounts the whole table instead (bulk deletions).
RECOUNT_ABOVE = 2000

TABLE = StudyTally.__table__
KEY = ["modality_type", "unique_equipment_name_id", "study_date"]
#: Adds ``studies`` to a key's count, creating the key's row if new: one statement, and two
#: imports adding the same key at once both count. SQLite and PostgreSQL share the syntax.
#: Text, because SQLAlchemy's dialect INSERT ... ON CONFLICT constructs cannot be cached:
#: analysed anew for every import, the statement cost more than running it.
UPSERT = text(
    f"INSERT INTO {TABLE.name} ({', '.join(KEY)}, studies) "
    f"VALUES ({', '.join(':' + name for name in KEY)}, :studies) "
    f"ON CONFLICT ({', '.join(KEY)}) "
    f"DO UPDATE SET studies = {TABLE.name}.studies + excluded.studies"
).bindparams(*(bindparam(name, type_=TABLE.c[name].type) for name in (*KEY, "studies")))


def upsert(study_key: tuple, studies: int = 1) -> tuple:
    """(statement, parameters) adding ``studies`` to a key's count: ``count`` for one key
    with a positive change, for callers that send it with other statements."""
    return UPSERT, {**dict(zip(KEY, study_key)), "studies": studies}


def key(modality_type, identity_id, study_date) -> tuple:
    """The tally key of a study with these values (absent ones as the table stores them)."""
    return (modality_type or "", identity_id or NO_DEVICE, study_date or NO_DATE)


def key_of_study(study: Study) -> tuple:
    """The tally key of a stored study (its equipment rows are loaded if need be)."""
    identities = [row.unique_equipment_name_id for row in study.generalequipmentmoduleattr_set
                  if row.unique_equipment_name_id is not None]
    return key(study.modality_type, min(identities, default=None), study.study_date)


def keys_of_studies(session, study_ids: Iterable[int]) -> list[tuple]:
    """The tally keys of the stored studies with these ids, one per study."""
    ids = list(study_ids)
    keys = []
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Study.modality_type, func.min(Equipment.unique_equipment_name_id),
                   Study.study_date)
            .outerjoin(Equipment, Equipment.general_study_module_attr_id == Study.id)
            .where(Study.id.in_(ids[start:start + CHUNK]))
            .group_by(Study.id, Study.modality_type, Study.study_date))
        keys += [key(*row) for row in rows]
    return keys


def count(session, keys: Iterable[tuple], change: int = 1) -> None:
    """Add ``change`` (1 for studies stored, -1 for studies deleted) per key to the tally.

    Call it once the studies are written or deleted: past ``RECOUNT_ABOVE`` keys it recounts
    the whole tally from the study table instead.
    """
    changes = Counter()
    for study_key in keys:
        changes[study_key] += change
    changes = {study_key: n for study_key, n in changes.items() if n}
    if len(changes) > RECOUNT_ABOVE:
        session.flush()
        rebuild(session)
        return
    connection = session.connection()
    for study_key, n in sorted(changes.items()):
        if n > 0:
            connection.execute(*upsert(study_key, n))
            continue
        where = [TABLE.c[name] == value for name, value in zip(KEY, study_key)]
        connection.execute(update(TABLE).where(*where).values(studies=TABLE.c.studies + n))
        connection.execute(delete(TABLE).where(*where, TABLE.c.studies <= 0))


def rebuild(session) -> int:
    """Recount the tally from the stored studies; the number of studies counted."""
    identity = (select(func.min(Equipment.unique_equipment_name_id))
                .where(Equipment.general_study_module_attr_id == Study.id)
                .scalar_subquery())
    per_study = select(
        func.coalesce(Study.modality_type, literal("")).label("modality_type"),
        func.coalesce(identity, literal(NO_DEVICE)).label("identity"),
        func.coalesce(Study.study_date, literal(NO_DATE)).label("study_date"),
    ).subquery()
    grouped = (select(per_study.c.modality_type, per_study.c.identity, per_study.c.study_date,
                      func.count())
               .group_by(per_study.c.modality_type, per_study.c.identity,
                         per_study.c.study_date))
    connection = session.connection()
    connection.execute(delete(TABLE))
    connection.execute(insert(TABLE).from_select(
        ["modality_type", "unique_equipment_name_id", "study_date", "studies"], grouped))
    return connection.execute(select(func.coalesce(func.sum(TABLE.c.studies), 0))).scalar_one()
