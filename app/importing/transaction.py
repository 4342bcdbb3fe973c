"""One transaction per imported object, serialised per study.

On PostgreSQL an advisory lock on the Study Instance UID makes concurrent imports of the same
study (from several workers or listeners) take turns, so duplicate and cumulative-report
decisions see each other's results. SQLite allows one writer at a time: the transaction starts
with BEGIN IMMEDIATE, taking the write lock before it reads what it will decide on.
"""
import zlib
from contextlib import contextmanager


@contextmanager
def import_transaction(session, study_uid: str):
    """Commit on success, roll back on any error; the caller's session must be idle."""
    if hasattr(session, "registry"):  # a scoped session: work on the session it holds
        session = session()
    if session.in_transaction():
        session.commit()
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        if dialect == "postgresql":
            key = zlib.crc32(study_uid.encode("utf-8"))
            session.connection().exec_driver_sql(
                "SELECT pg_advisory_xact_lock(%(key)s)", {"key": key})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
