"""Bulk writing of generated rows: PostgreSQL COPY, SQLite executemany, Core inserts elsewhere.

Rows arrive as one list of tuples per table with their primary keys set, so nothing is read
back: parents go in before children, one transaction per batch. The caller must be the only
writer while this runs, because ids are handed out from ``max(id) + 1`` of each table.
"""
from sqlalchemy import Date, DateTime, Time, func, insert, select

from ..extensions import db
from ..importing.equipment import identity_hashes
from ..models.codes import ContextID
from ..models.study import UniqueEquipmentNames


def ensure_codes(session, wanted) -> dict:
    """ContextID ids by (code_value, code_meaning), creating the rows ``wanted`` lacks.

    ``wanted`` holds (code_value, code_meaning, coding_scheme_designator) triples.
    """
    existing = {(row.code_value, row.code_meaning): row.id
                for row in session.execute(select(ContextID.id, ContextID.code_value,
                                                  ContextID.code_meaning))}
    missing = [(value, meaning, scheme) for value, meaning, scheme in wanted
               if (value, meaning) not in existing]
    for value, meaning, scheme in missing:
        row = ContextID(code_value=value, code_meaning=meaning, coding_scheme_designator=scheme)
        session.add(row)
        session.flush()
        existing[(value, meaning)] = row.id
    session.commit()
    return existing


def ensure_units(session, units) -> dict:
    """UniqueEquipmentNames ids by unit key, creating identities not stored yet.

    An identity already stored keeps its display name (a site may have renamed it).
    """
    ids = {}
    for unit in units:
        equipment = unit.equipment()
        hashes = identity_hashes(equipment, unit.uid)
        row = session.scalars(select(UniqueEquipmentNames).filter_by(**hashes)).first()
        if row is None:
            row = UniqueEquipmentNames(**equipment, **hashes, device_observer_uid=unit.uid,
                                       display_name=unit.display_name, hash_generated=True)
            session.add(row)
            session.flush()
        ids[unit.key] = row.id
    session.commit()
    return ids


def next_ids(connection, tables) -> dict:
    """The first free primary key of each table."""
    metadata = db.metadata.tables
    return {name: (connection.execute(select(func.max(metadata[name].c.id))).scalar() or 0) + 1
            for name in tables}


class BulkWriter:
    """Writes batches of rows through one raw database connection."""

    def __init__(self, engine, columns: dict):
        self.engine = engine
        self.columns = columns
        self.dialect = engine.dialect.name
        self.connection = engine.raw_connection()
        #: Whether the database checks each row's foreign keys as it arrives.
        self.checked = True
        if self.dialect == "postgresql":
            self.checked = not _skip_foreign_key_checks(self.connection.driver_connection)
        if self.dialect == "postgresql":
            self._copy_types = {
                table: _postgresql_types(engine.dialect, db.metadata.tables[table], names)
                for table, names in columns.items()}
        if self.dialect == "sqlite":
            self._sqlite_converters = {
                table: _sqlite_converters(engine.dialect, db.metadata.tables[table], names)
                for table, names in columns.items()}

    def write(self, rows: dict):
        """Insert one batch (``{table: [tuple, ...]}``) in one transaction."""
        if self.dialect == "postgresql":
            self._copy(rows)
        elif self.dialect == "sqlite":
            self._executemany(rows)
        else:
            self._core(rows)

    def _copy(self, rows):
        connection = self.connection.driver_connection
        with connection.cursor() as cursor:
            for table, names in self.columns.items():
                batch = rows.get(table)
                if not batch:
                    continue
                # Binary COPY: the server parses no text and the client formats less.
                statement = f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
                with cursor.copy(statement) as copy:
                    copy.set_types(self._copy_types[table])
                    write_row = copy.write_row
                    for row in batch:
                        write_row(row)
        connection.commit()

    def _executemany(self, rows):
        connection = self.connection.driver_connection
        cursor = connection.cursor()
        # The engine hook puts the driver in autocommit mode; one explicit transaction a batch.
        cursor.execute("BEGIN")
        try:
            for table, names in self.columns.items():
                batch = rows.get(table)
                if not batch:
                    continue
                converters = self._sqlite_converters[table]
                if converters:
                    batch = [_convert(row, converters) for row in batch]
                marks = ", ".join("?" * len(names))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", batch)
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.close()

    def _core(self, rows):
        with self.engine.begin() as connection:
            for table, names in self.columns.items():
                batch = rows.get(table)
                if batch:
                    connection.execute(insert(db.metadata.tables[table]),
                                       [dict(zip(names, row)) for row in batch])

    def finish(self):
        """Move PostgreSQL's id sequences past the rows written, so later inserts follow on."""
        if self.dialect != "postgresql":
            return
        connection = self.connection.driver_connection
        with connection.cursor() as cursor:
            for table in self.columns:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" GREATEST((SELECT max(id) FROM {table}), 1))")
        connection.commit()

    def close(self):
        """Give the connection back to the pool, with foreign key checks on again."""
        if self.dialect == "postgresql" and not self.checked:
            connection = self.connection.driver_connection
            connection.rollback()
            connection.execute("RESET session_replication_role")
            connection.commit()
        self.connection.close()

    def analyze(self):
        """Bring the planner's statistics up to date after a large load.

        PostgreSQL also vacuums, which marks the new pages all-visible so that counts can be
        answered from indexes alone, as they are on a database that autovacuum has visited.
        """
        connection = self.engine.raw_connection()
        try:
            if self.dialect == "postgresql":
                driver = connection.driver_connection
                driver.autocommit = True  # VACUUM cannot run inside a transaction
                try:
                    driver.execute("VACUUM (ANALYZE) " + ", ".join(self.columns))
                finally:
                    driver.autocommit = False
            elif self.dialect == "sqlite":
                cursor = connection.cursor()
                cursor.execute("ANALYZE")
                cursor.close()
        finally:
            connection.close()


def _skip_foreign_key_checks(connection) -> bool:
    """Turn off PostgreSQL's per-row foreign key triggers for this session, if allowed.

    The generated rows are consistent by construction, and the triggers cost three quarters
    of the load time. Only a superuser (or a role granted SET on the parameter) may do this;
    anyone else loads with every row checked.
    """
    import psycopg

    try:
        connection.execute("SET session_replication_role = replica")
        connection.commit()
        return True
    except psycopg.errors.InsufficientPrivilege:
        connection.rollback()
        return False


def _postgresql_types(dialect, table, names):
    """PostgreSQL type names of the columns, as binary COPY needs them ("integer", "text")."""
    return [table.c[name].type.compile(dialect=dialect).lower().split("(")[0] for name in names]


def _sqlite_converters(dialect, table, names):
    """(position, bind processor) for the date and time columns, which sqlite3 cannot adapt."""
    converters = []
    for position, name in enumerate(names):
        column_type = table.c[name].type
        if isinstance(column_type, (Date, DateTime, Time)):
            converters.append((position, column_type.dialect_impl(dialect).bind_processor(dialect)))
    return converters


def _convert(row, converters):
    row = list(row)
    for position, process in converters:
        value = row[position]
        if value is not None:
            row[position] = process(value)
    return row

