"""Engine-level settings: testing pooled connections, and SQLite made to behave like a server;
and the session settings of aggregating queries."""
import time

from sqlalchemy import event, text
from sqlalchemy.exc import DisconnectionError


def install_engine_hooks(engine, ping_after_idle: float | None = None):
    """Install the pool's liveness test and, for SQLite, the settings below."""
    if ping_after_idle is not None and ping_after_idle >= 0:
        _ping_when_idle(engine, ping_after_idle)
    _sqlite_settings(engine)


def _ping_when_idle(engine, seconds: float):
    """Test a pooled connection before use when it has been idle ``seconds`` or more.

    A database restarted (or a connection dropped by a firewall) while a connection sat in the
    pool must not surface as an error page; SQLAlchemy's ``pool_pre_ping`` tests every
    connection at every checkout, which is a round trip to the server per transaction, and an
    import of a small object is only a few round trips. A connection given back a moment ago
    is as good as tested. If the database restarts within that moment, the statement fails,
    SQLAlchemy discards the pool's connections, and the importer retries the object.
    """
    @event.listens_for(engine, "checkin")
    def _given_back(_dbapi_connection, record):
        record.info["kerma_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _tested(dbapi_connection, record, _proxy):
        since = record.info.pop("kerma_idle_since", None)
        if since is None or time.monotonic() - since < seconds:
            return  # a new connection, or one in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool replaces the connection and tries again
            raise DisconnectionError(f"pooled connection failed its test: {exc}") from exc


class PercentileCont:
    """``percentile_cont(value, fraction)`` for SQLite, which has no percentile aggregate:
    the value at ``fraction`` of the ordered values, interpolated between the two nearest as
    PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY value)`` does. It runs
    inside SQLite's grouping, holding one group's numbers at a time."""

    def __init__(self):
        self.values, self.fraction = [], 0.5

    def step(self, value, fraction):
        if value is not None:
            self.values.append(value)
            self.fraction = fraction

    def finalize(self):
        if not self.values:
            return None
        self.values.sort()
        position = self.fraction * (len(self.values) - 1)
        lower = int(position)
        upper = min(lower + 1, len(self.values) - 1)
        return self.values[lower] + (self.values[upper] - self.values[lower]) * (position - lower)


def _sqlite_settings(engine):
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
        dbapi_connection.create_aggregate("percentile_cont", 2, PercentileCont)

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def for_aggregates(session, work_mem: str | None = "64MB") -> None:
    """Settings for the rest of the transaction for queries that aggregate many rows
    (charts, DRL comparisons) on PostgreSQL: ``work_mem`` for each sort and hash, so that
    ordering a million values for a percentile stays in memory, and no JIT compilation,
    which such queries' cost estimates trigger and which costs more than it saves for them
    (several hundred ms per query, measured). Parallel plans are costed as cheap: these
    queries hand a million rows up to one sort and aggregate, and the default cost of passing
    a row from a worker (0.1) keeps the planner from scanning, joining and sorting them in
    parallel, which halves the time of a radiography chart at a million studies (measured).
    Elsewhere nothing."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT set_config('jit', 'off', true), "
                         "set_config('parallel_setup_cost', '0', true), "
                         "set_config('parallel_tuple_cost', '0.001', true)"))
    if work_mem:
        session.execute(text("SELECT set_config('work_mem', :size, true)"), {"size": work_mem})


def map_in_sessions(function, items, workers: int) -> list:
    """``function(item)`` for each of ``items``, in order. On PostgreSQL, with ``workers``
    above one and several items, up to ``workers`` run at once, each in an application
    context of its own (so its own session and connection, rolled back when done): the
    aggregate queries of a Charts page or a DRL comparison then use the server's cores.
    Elsewhere one after another in the caller's session. ``function`` reads ``db.session``
    when it runs, so that it finds the session of its own context."""
    from concurrent.futures import ThreadPoolExecutor

    from flask import current_app

    from .extensions import db

    items = list(items)
    if workers <= 1 or len(items) <= 1 or db.engine.dialect.name != "postgresql":
        return [function(item) for item in items]
    app = current_app._get_current_object()

    def in_own_session(item):
        with app.app_context():
            try:
                return function(item)
            finally:
                db.session.rollback()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aggregates") as pool:
        return list(pool.map(in_own_session, items))
