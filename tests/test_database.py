"""Pooled connections are tested before use after sitting idle, and replaced when dead."""
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.extensions import db

IDLE = 0.2


@pytest.fixture
def app_config():
    return {"DATABASE_PING_AFTER_IDLE": IDLE}


@pytest.fixture
def pings(app, monkeypatch):
    """Every liveness test the pool makes, as a list that grows."""
    made = []
    with app.app_context():
        dialect = db.engine.dialect
        real = dialect.do_ping

        def counted(dbapi_connection):
            made.append(dbapi_connection)
            return real(dbapi_connection)

        monkeypatch.setattr(dialect, "do_ping", counted)
    return made


def _one(app):
    with app.app_context():
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar_one()


def test_a_connection_given_back_a_moment_ago_is_not_tested(app, pings):
    _one(app)  # a new connection: fresh, not tested
    for _ in range(5):
        assert _one(app) == 1

    assert pings == []


def test_a_connection_idle_for_a_while_is_tested(app, pings):
    _one(app)
    time.sleep(IDLE * 1.5)
    assert _one(app) == 1
    assert _one(app) == 1  # in use a moment ago again

    assert len(pings) == 1


def _end_session(engine, dbapi_connection):
    """End a pooled connection's session behind the pool's back: on PostgreSQL the server
    ends it (as a restart or an administrator does), SQLite has no server and closes it."""
    if engine.dialect.name != "postgresql":
        dbapi_connection.close()
        return
    with create_engine(engine.url, poolclass=NullPool).connect() as administrator:
        administrator.execute(text("SELECT pg_terminate_backend(:pid)"),
                              {"pid": dbapi_connection.info.backend_pid})


def test_a_pooled_connection_whose_session_ended_is_replaced_before_use(app, pings):
    with app.app_context():
        with db.engine.connect() as connection:
            dead = connection.connection.driver_connection
        _end_session(db.engine, dead)
        time.sleep(IDLE * 1.5)

        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
            assert connection.connection.driver_connection is not dead

    assert pings == [dead]
