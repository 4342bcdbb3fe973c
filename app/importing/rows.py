"""Study records to model rows, and model rows back to records.

A record's keys are the model's column names, its ``<model>_set`` lists the model's child
collections and its coded fields ``Code`` values (docs/architecture.md), so one walk over the
mapper turns any record into rows; no per-template code lives here.

``insert`` writes a new study straight from its record: on SQLite one multi-row INSERT per
table and tree level, on PostgreSQL every row in one pipeline (``app.pipeline``)
with ids taken beforehand; ``build`` makes ORM objects, for the few rows added to a study
already stored.
"""
import datetime as dt
import logging
from collections import Counter
from functools import cache

from sqlalchemy import inspect, insert as sql_insert, select, tuple_

from ..models.codes import ContextID
from ..models.tree import (
    child_collections, coded_fields, object_fields, parent_fields, string_lengths, value_fields,
)
from .. import pipeline
from . import lookups

log = logging.getLogger(__name__)


class TooLong(ValueError):
    """A UID longer than its column. Cut, it would no longer match the object it identifies
    (duplicates, cumulative reports), so the object is refused instead."""


def check_uid(label: str, value, length: int | None):
    """Raise TooLong when a UID does not fit its column."""
    if isinstance(value, str) and length is not None and len(value) > length:
        raise TooLong(f"its {label} is {len(value)} characters long, longer than the "
                      f"{length} Kerma stores")


class CodeCache:
    """ContextID rows by (value, meaning), looked up once per import.

    New codes are inserted in the same transaction as the study (and vanish with it on
    rollback): ``get`` gives ORM objects, inserted with the rows that use them; ``id_of`` (for
    ``insert``) inserts them at once.
    """

    def __init__(self, session):
        self.session = session
        self._rows = {}
        self._ids = {}

    def get(self, code) -> ContextID | None:
        """The ContextID row for a ``Code`` (created if the database has none yet)."""
        if code is None:
            return None
        key = _code_key(code)
        row = self._rows.get(key)
        if row is None:
            with self.session.no_autoflush:
                row = self.session.scalars(
                    select(ContextID).where(
                        ContextID.code_value == key[0], ContextID.code_meaning == key[1])
                ).first()
            self._rows[key] = row if row is not None else _new_code(code)
        return self._rows[key]

    def load(self, codes):
        """Find the ids of all of ``codes`` at once, inserting the codes the database lacks.

        Codes a committed import met before are taken from ``lookups`` without asking.
        """
        by_key = {_code_key(code): code for code in codes}
        known = lookups.known_codes(self.session)
        wanted = []
        for key in sorted(by_key.keys() - self._ids.keys()):
            if key in known:
                self._ids[key] = known[key]
            else:
                wanted.append(key)
        if not wanted:
            return
        table = ContextID.__table__
        connection = self.session.connection()
        for start in range(0, len(wanted), 200):
            chunk = wanted[start:start + 200]
            found = connection.execute(
                select(table.c.code_value, table.c.code_meaning, table.c.id)
                .where(tuple_(table.c.code_value, table.c.code_meaning).in_(chunk)))
            for value, meaning, row_id in found:
                self._found((value, meaning), row_id)
        missing = [key for key in wanted if key not in self._ids]
        if missing:
            rows = [{"code_value": value, "code_meaning": meaning,
                     "coding_scheme_designator": _scheme(by_key[(value, meaning)])}
                    for value, meaning in missing]
            ids = connection.execute(
                sql_insert(table).returning(table.c.id, sort_by_parameter_order=True),
                rows).scalars().all()
            for key, row_id in zip(missing, ids):
                self._found(key, row_id)

    def _found(self, key, row_id):
        self._ids[key] = row_id
        lookups.stage(self.session, "codes", key, row_id)

    def id_of(self, code) -> int | None:
        """The id of the ContextID row for a ``Code``, inserting the row if need be."""
        if code is None:
            return None
        key = _code_key(code)
        if key not in self._ids:
            self.load([code])
        return self._ids[key]


def _new_code(code) -> ContextID:
    value, meaning = _code_key(code)
    return ContextID(code_value=value, code_meaning=meaning,
                     coding_scheme_designator=_scheme(code))


def _scheme(code) -> str | None:
    scheme = code.coding_scheme_designator
    return scheme[:64] if scheme else None


def _code_key(code) -> tuple[str, str]:
    """A code's (value, meaning) as the ContextID table stores them."""
    return (code.code_value or "")[:128], (code.code_meaning or "")[:256]


def insert(session, model_cls, record: dict, codes: CodeCache, reserved=None, then=()) -> int:
    """Insert ``record`` as a new row of ``model_cls``, with all its children; the row's id.

    The rows go in with one multi-row INSERT per table and level of the tree. The ORM's unit of
    work, which tracks every object it writes, spent most of a large report's import on that
    bookkeeping. Values are cut to their columns and UIDs checked as ``build`` does.
    ``reserved``: new ids per table taken beforehand (PostgreSQL, see ``parent_counts``);
    ``then``: (statement, parameters) to run after the rows, in the same round trip where
    the database allows.
    """
    codes.load(list(_codes_in(model_cls, record)))
    connection = session.connection()  # Core statements: the ORM's execution adds nothing here
    if connection.dialect.name == "postgresql":
        return _insert_pipelined(connection, model_cls, record, codes, reserved, then)
    level = [(model_cls, record, {})]
    root_id = None
    while level:
        grouped = {}
        for cls, child_record, fixed in level:
            grouped.setdefault(cls, []).append((child_record, fixed))
        level = []
        for cls, items in grouped.items():
            plan = _plan(cls)
            rows = [plan.row(child_record, fixed, codes) for child_record, fixed in items]
            if not plan.children and root_id is not None:
                connection.execute(sql_insert(plan.table), rows)  # leaves: no ids needed
                continue
            ids = connection.execute(
                sql_insert(plan.table).returning(plan.table.c.id, sort_by_parameter_order=True),
                rows).scalars().all()
            if root_id is None:
                root_id = ids[0]
            for (child_record, _), row_id in zip(items, ids):
                for key, child_cls, parent_column in plan.children:
                    for child in child_record.get(key) or ():
                        level.append((child_cls, child, {parent_column: row_id}))
    for statement, params in then:
        connection.execute(statement, params)
    return root_id


def _insert_pipelined(connection, model_cls, record, codes, reserved, then) -> int:
    """``insert`` on PostgreSQL in one round trip, given the ids (else two).

    Each statement is a round trip to the server, and a new study is a dozen of them, more
    than reading and extracting a small object costs. So the ids of the rows that have
    children are taken from their sequences in one query (usually together with the import's
    first look-up: ``parent_counts``), and then every row is sent in one pipeline (parents
    before children, so each foreign key finds its row).
    """
    wanted = parent_counts(model_cls, record)
    if reserved is None or any(len(reserved.get(table, ())) < n for table, n in wanted.items()):
        statement = allocation(wanted)
        reserved = allocated(wanted, pipeline.send(connection, [statement])[0][0]) \
            if statement else {}
    ids = {table: list(found) for table, found in reserved.items()}
    batches = {}  # table -> rows, in the order tables are first met (parents first)
    level = [(model_cls, record, {})]
    root_id = None
    while level:
        next_level = []
        for cls, child_record, fixed in level:
            plan = _plan(cls)
            row = plan.row(child_record, fixed, codes)
            if plan.children:
                row["id"] = ids[plan.table.name].pop()
                if root_id is None:
                    root_id = row["id"]
                for key, child_cls, parent_column in plan.children:
                    for child in child_record.get(key) or ():
                        next_level.append((child_cls, child, {parent_column: row["id"]}))
            batches.setdefault(plan.table, []).append(row)
        level = next_level
    dialect = connection.dialect
    statements = [pipeline.Statement(_insert_sql(dialect, table, tuple(rows[0])), rows, True)
                  for table, rows in batches.items()]
    statements += [pipeline.Statement(pipeline.driver_sql(dialect, statement), params)
                   for statement, params in then]
    pipeline.send(connection, statements)
    return root_id


def parent_counts(model_cls, record) -> Counter:
    """How many rows of each table with children (so whose ids the children need) a record
    of ``model_cls`` makes."""
    counts = Counter()
    _count_parents(model_cls, record, counts)
    return counts


def _count_parents(model_cls, record, counts: Counter):
    plan = _plan(model_cls)
    if not plan.children:
        return
    counts[plan.table.name] += 1
    for key, child_cls, _ in plan.children:
        for child in record.get(key) or ():
            _count_parents(child_cls, child, counts)


def allocation(counts: Counter) -> "pipeline.Statement | None":
    """The query taking ``counts[table]`` new ids from each table's sequence (PostgreSQL);
    ``allocated`` reads its one row. None when no ids are wanted."""
    if not counts:
        return None
    tables = sorted(counts)
    columns = ", ".join(
        f"ARRAY(SELECT nextval(pg_get_serial_sequence(%(t{n})s, 'id')) "
        f"FROM generate_series(1, %(n{n})s))" for n in range(len(tables)))
    params = {**{f"t{n}": table for n, table in enumerate(tables)},
              **{f"n{n}": counts[table] for n, table in enumerate(tables)}}
    return pipeline.Statement(f"SELECT {columns}", params)


def allocated(counts: Counter, row) -> dict[str, list[int]]:
    """The ids in the row ``allocation(counts)`` returned, per table."""
    # Popped from the end: reversed, so rows get ascending ids in the order they are built.
    return {table: list(reversed(found)) for table, found in zip(sorted(counts), row)}


@cache
def _insert_sql(dialect, table, keys: tuple) -> str:
    """The driver-level INSERT of ``keys`` into ``table`` (``%(key)s`` placeholders)."""
    return str(sql_insert(table).compile(dialect=dialect, column_keys=list(keys)))


def _codes_in(model_cls, record):
    """Every ``Code`` in a record and its children."""
    plan = _plan(model_cls)
    for key, _ in plan.coded:
        if record.get(key) is not None:
            yield record[key]
    for key, child_cls, _ in plan.children:
        for child in record.get(key) or ():
            yield from _codes_in(child_cls, child)


class _Plan:
    """How a record of one model becomes a row of its table: columns, codes, children."""

    def __init__(self, model_cls):
        mapper = inspect(model_cls)
        self.table = mapper.local_table
        lengths = string_lengths(model_cls)

        def column_of(key):
            return mapper.get_property(key).columns[0].key

        def foreign_key_of(key):
            return next(iter(mapper.relationships[key].local_columns)).key

        self.values = [(key, column_of(key), lengths.get(key), key.endswith("_uid"))
                       for key in value_fields(model_cls)]
        self.coded = [(key, foreign_key_of(key)) for key in sorted(coded_fields(model_cls))]
        self.objects = [(key, foreign_key_of(key)) for key in object_fields(model_cls)]
        self.children = [
            (key, child_cls, next(iter(mapper.relationships[key].remote_side)).key)
            for key, child_cls in child_collections(model_cls).items()]
        # Every row of one INSERT names the same columns: absent values are NULL, or the
        # column's default, as the ORM would write them.
        self.empty = {}
        for column in self.table.columns:
            if column.primary_key:
                continue
            default = column.default
            self.empty[column.key] = default.arg if default is not None and default.is_scalar \
                else None
        for key in parent_fields(model_cls):
            self.empty[foreign_key_of(key)] = None

    def row(self, record, fixed, codes):
        row = dict(self.empty)
        for key, column, length, uid in self.values:
            value = record.get(key)
            if value is None:
                continue
            if uid:
                check_uid(key.replace("_uid", " UID").replace("_", " "), value, length)
            row[column] = fit(value, length)
        for key, column in self.coded:
            row[column] = codes.id_of(record.get(key))
        for key, column in self.objects:
            shared = record.get(key)
            if shared is not None:
                row[column] = shared.id
        row.update(fixed)
        return row


@cache
def _plan(model_cls) -> _Plan:
    return _Plan(model_cls)


class RecordRow:
    """A record seen as a row: attributes read and write its keys, ``<model>_set`` lists come
    back as RecordRows, absent values as None. Code written for stored rows (the summary
    fields) runs on a record before it is inserted."""

    __slots__ = ("_record",)

    def __init__(self, record: dict):
        object.__setattr__(self, "_record", record)

    def __getattr__(self, name):
        value = self._record.get(name)
        if name.endswith("_set"):
            return [RecordRow(child) for child in value or ()]
        return value

    def __setattr__(self, name, value):
        self._record[name] = value


def build(model_cls, record: dict, codes: CodeCache):
    """A new, unsaved row of ``model_cls`` (with all its children) from a record."""
    row = model_cls()
    children = child_collections(model_cls)
    coded = coded_fields(model_cls)
    lengths = string_lengths(model_cls)
    for key, value in record.items():
        if key.startswith("_") or value is None:
            continue
        if key in children:
            collection = getattr(row, key)
            for child in value:
                collection.append(build(children[key], child, codes))
        elif key in coded:
            setattr(row, key, codes.get(value))
        elif key in lengths:
            if key.endswith("_uid"):
                check_uid(key.replace("_uid", " UID").replace("_", " "), value, lengths[key])
            setattr(row, key, fit(value, lengths[key]))
        elif hasattr(model_cls, key):
            setattr(row, key, value)
        else:
            log.debug("%s has no field %s; value dropped", model_cls.__name__, key)
    return row


def fit(value, length):
    """A string cut to its column's length (None means unlimited); other values unchanged."""
    if isinstance(value, str) and length is not None and len(value) > length:
        return value[:length]
    return value


def dump(row) -> dict:
    """A row and its children as a record in the reference-dump layout (JSON-ready values)."""
    cls = type(row)
    children = child_collections(cls)
    coded = coded_fields(cls)
    out = {name: plain(getattr(row, name)) for name in value_fields(cls)}
    for name in coded:
        code = getattr(row, name)
        out[name] = None if code is None else {
            "code_value": code.code_value, "code_meaning": code.code_meaning or None}
    for name in children:
        out[name] = [dump(child) for child in getattr(row, name)]
    return out


def plain(value):
    """A column value as JSON: dates and times ISO, everything else as is."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return value
