"""One transaction per imported object, serialised per study.

An import opens its study (``open_study``) before it reads anything it decides on. On
PostgreSQL an advisory lock on the Study Instance UID makes concurrent imports of the same
study (from several workers or listeners) take turns, so duplicate and cumulative-report
decisions see each other's results. SQLite allows one writer at a time: the transaction starts
with BEGIN IMMEDIATE, taking the write lock before it reads what it will decide on.
"""
import zlib
from collections import Counter
from contextlib import contextmanager
from typing import NamedTuple

from sqlalchemy import bindparam, select

from ..models.study import GeneralStudyModuleAttr
from .. import pipeline
from .rows import allocation, allocated

#: The ids of the stored studies with a Study Instance UID.
_SAME_STUDY_UID_IDS = (select(GeneralStudyModuleAttr.__table__.c.id)
                       .where(GeneralStudyModuleAttr.__table__.c.study_instance_uid
                              == bindparam("uid")))
_LOCK = "SELECT pg_advisory_xact_lock(%(key)s)"


@contextmanager
def import_transaction(session):
    """Commit on success, roll back on any error; the caller's session must be idle."""
    if hasattr(session, "registry"):  # a scoped session: work on the session it holds
        session = session()
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


class Opening(NamedTuple):
    """What an import learns as it opens its study."""

    #: Ids of the studies already stored with the Study Instance UID.
    stored_ids: list[int]
    #: New ids per table, taken for the rows of a new study (PostgreSQL; None on SQLite,
    #: where the inserts return them).
    reserved: dict[str, list[int]] | None


def open_study(session, study_uid: str, reserve: Counter) -> Opening:
    """Wait for the study's turn, then read the ids of the studies stored with its UID.

    On PostgreSQL the lock, the look-up and ``reserve[table]`` new ids per table (for the new
    study most objects become) go to the server in one round trip; the look-up runs once the
    lock is granted, so it sees every import of the study that committed before.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return Opening(connection.execute(_SAME_STUDY_UID_IDS, {"uid": study_uid})
                       .scalars().all(), None)
    statements = [
        pipeline.Statement(_LOCK, {"key": zlib.crc32(study_uid.encode("utf-8"))}),
        pipeline.Statement(pipeline.driver_sql(connection.dialect, _SAME_STUDY_UID_IDS),
                           {"uid": study_uid}),
    ]
    ids = allocation(reserve)
    if ids is not None:
        statements.append(ids)
    results = pipeline.send(connection, statements)
    return Opening([row[0] for row in results[1]],
                   allocated(reserve, results[2][0]) if ids is not None else {})
