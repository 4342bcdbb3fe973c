"""Shared fixtures: an application on an empty database, clients, users and logins.

The schema is created once per test session (SQLite file, or the PostgreSQL database named by
KERMA_TEST_DATABASE_URL) from every model registered on ``db.metadata``; after each test all
rows are removed, so every test starts from empty tables with ids counting from 1. The
PostgreSQL database is emptied of all its tables at the start: give the tests their own.

Fixtures: ``app`` (settings added by ``app_config``), ``csrf_app``, ``client``, ``runner``,
``make_user``, ``log_in``, ``login_as``.
"""
import itertools
import os
import re
import weakref

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import MetaData, event
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.auth.roles import ROLES
from app.extensions import db
from app import pipeline
from app.models.auth import User

SECRET_KEY = "test-secret-key"
# The production default (scrypt) takes tens of milliseconds a hash; tests make many users.
FAST_PASSWORD_HASH = "pbkdf2:sha256:1"
from accounts import DEFAULT_PASSWORD  # noqa: E402
# Statements that cannot leave rows behind; anything else makes the test empty the tables.
READ_ONLY_STATEMENT = re.compile(r"\s*(SELECT|SHOW|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN)\b",
                                 re.IGNORECASE)


def _database_url(tmp_path_factory):
    url = os.environ.get("KERMA_TEST_DATABASE_URL")
    if url:
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "kerma-test.db")


def _test_config(database_url, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """URL of the test database, with a fresh schema made from all models once per session."""
    url = _database_url(tmp_path_factory)
    app = create_app(_test_config(url))
    with app.app_context():
        # Drop what is there, including tables of models that no longer exist.
        existing = MetaData()
        existing.reflect(db.engine)
        existing.drop_all(db.engine)
        db.create_all()
        db.engine.dispose()
    return url


def _empty_all_tables():
    """Remove every row and restart the ids at 1.

    Deleting from the few small tables a test fills is several times faster than TRUNCATE,
    which rewrites every table; TRUNCATE ... CASCADE remains for foreign keys in a cycle.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    if not tables:
        return
    if db.engine.dialect.name == "sqlite":
        _empty_sqlite(tables)
        return
    try:
        with db.engine.begin() as connection:
            for table in tables:
                connection.execute(table.delete())
            connection.exec_driver_sql(
                "SELECT setval(c.oid, 1, false) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'S' AND n.nspname = current_schema()")
    except IntegrityError:
        with db.engine.begin() as connection:
            names = ", ".join(connection.dialect.identifier_preparer.format_table(table)
                              for table in tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def _empty_sqlite(tables):
    with db.engine.connect() as connection:
        # Off, so that the order of deletion does not matter. The driver opens its transaction
        # only at the first DELETE, so the pragma runs outside one, where SQLite honours it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for table in tables:
            connection.execute(table.delete())
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _track_writes(engine):
    """A flag set once a statement that may change rows runs, so read-only tests skip cleanup."""
    state = {"written": False}

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(_conn, _cursor, statement, *_args):
        if not state["written"] and not READ_ONLY_STATEMENT.match(statement):
            state["written"] = True

    _PIPELINE_WRITES[engine] = state
    return state


#: The write flags of the engines whose statements may also go through a psycopg pipeline,
#: which SQLAlchemy's cursor events do not see.
_PIPELINE_WRITES = weakref.WeakKeyDictionary()
_send_to_server = pipeline.send


def _send_noted(connection, statements):
    state = _PIPELINE_WRITES.get(connection.engine)
    if state is not None and not state["written"]:
        # Taking ids from a sequence counts: the cleanup restarts the sequences.
        state["written"] = any(not READ_ONLY_STATEMENT.match(s.sql) or "nextval(" in s.sql
                               for s in statements)
    return _send_to_server(connection, statements)


pipeline.send = _send_noted


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by the applications of a test session.

    Every test builds a new application, and compiling the templates again would cost each
    test more than its requests do. Entries are keyed by the template source's checksum.
    """

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if (found := self.compiled.get((bucket.key, bucket.checksum))) is not None:
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket):
        self.compiled[(bucket.key, bucket.checksum)] = bucket.bytecode_to_string()


_TEMPLATES = _MemoryBytecodeCache()


def _make_app(database_url, **overrides):
    app = create_app(_test_config(database_url, **overrides))
    app.jinja_env.bytecode_cache = _TEMPLATES
    with app.app_context():
        writes = _track_writes(db.engine)
    return app, writes


def _dispose(app, writes):
    with app.app_context():
        db.session.remove()
        if writes["written"]:
            _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def app_config():
    """Extra settings for ``app`` and ``csrf_app``; a test module overrides it to add its own."""
    return {}


@pytest.fixture
def app(database_url, app_config):
    """The application with CSRF checks off, on empty tables.

    No application context is pushed: wrap database work in ``with app.app_context():`` so
    that each request of the test client gets its own context (and its own ``g``).
    """
    app, writes = _make_app(database_url, **app_config)
    yield app
    _dispose(app, writes)


@pytest.fixture
def csrf_app(database_url, app_config):
    """The application with CSRF checks on, for the tests of CSRF protection."""
    app, writes = _make_app(database_url, **{**app_config, "WTF_CSRF_ENABLED": True})
    yield app
    _dispose(app, writes)


@pytest.fixture
def client(app):
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for ``flask`` commands of ``app``."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user: ``make_user(username=None, roles=("view",), password=..., active=True)``.

    Returns the stored user, detached from the session with its columns and roles loaded.
    """
    counter = itertools.count(1)

    def make(username=None, roles=("view",), password=DEFAULT_PASSWORD, active=True):
        unknown = set(roles) - ROLES.keys()
        assert not unknown, f"no such role: {unknown}"
        with app.app_context():
            user = User(username=username or f"user{next(counter)}", active=active)
            user.roles = roles
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            user.role_rows  # noqa: B018  (load the roles before detaching)
            db.session.expunge(user)
        return user

    return make


@pytest.fixture
def log_in(client):
    """Log ``client`` in as an existing user: ``log_in(user)``, as Flask-Login would."""

    def log_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return user

    return log_in


@pytest.fixture
def login_as(make_user, log_in):
    """Log ``client`` in as a new user holding exactly ``roles``: ``login_as("view", "export")``.

    Returns the user. Called again, it logs the client in as another new user.
    """

    def login(*roles, username=None):
        return log_in(make_user(username=username, roles=roles))

    return login


def pytest_terminal_summary(terminalreporter):
    """Print the corpus conformance count when the corpus tests ran."""
    import sys

    corpus = sys.modules.get("test_corpus")
    if corpus is None or not corpus.TOTALS.compared:
        return
    totals = corpus.TOTALS
    terminalreporter.write_sep("-", "corpus conformance")
    terminalreporter.write_line(
        f"{totals.compared} values compared, {totals.equal} equal to OpenREM's, "
        f"{len(totals.documented)} documented differences, {len(totals.mismatches)} mismatches")


@pytest.fixture
def worker(app):
    """``worker(n=1)`` starts an in-process task worker of ``n`` threads and waits for its
    first heartbeat; every worker started is stopped after the test."""
    from app.tasks.worker import Worker, running_worker
    from background import wait_until

    started = []

    def start(workers=1):
        running = Worker(app, workers=workers, install_signals=False)
        running.start()
        started.append(running)
        wait_until(lambda: running_worker(app), message="the worker's heartbeat")
        return running

    yield start
    for running in started:
        running.stop()
