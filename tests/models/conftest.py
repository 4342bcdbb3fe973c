"""Fixtures for the model and migration tests: an empty database on every backend under test.

SQLite (a temporary file, foreign keys on) always; PostgreSQL too when
KERMA_TEST_DATABASE_URL is set, in a scratch schema dropped afterwards.
"""
import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db

POSTGRES_URL = os.environ.get("KERMA_TEST_DATABASE_URL")


def _psycopg_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kerma.db'}"
        return
    schema = f"kerma_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_psycopg_url(POSTGRES_URL))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(_psycopg_url(POSTGRES_URL), schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def schema_app(database_url):
    """An application bound to the empty database, inside an application context."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_url,
    })
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(schema_app):
    """A session on a database whose tables were created from the models."""
    db.create_all()
    yield db.session
    db.session.rollback()
