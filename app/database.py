"""Engine-level settings that differ between SQLite and PostgreSQL."""
from sqlalchemy import event


def install_engine_hooks(engine):
    """Make SQLite behave like a server database: foreign keys, WAL, waiting on locks.

    The driver's own transaction handling is switched off so that a transaction can begin with
    ``BEGIN IMMEDIATE`` when it asks for it (execution option ``sqlite_begin``): imports take
    the write lock before reading what they decide on.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())
