"""Configuration layering: defaults, instance/config.py, KERMA_* variables, the secret key."""
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

import app as app_package
from app import create_app, load_secret_key

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """Point the factory at an empty instance folder and clear KERMA_* from the environment."""
    folder = tmp_path / "instance"
    real_flask = app_package.Flask

    class FlaskInTmpInstance(real_flask):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, instance_path=str(folder), **kwargs)

    monkeypatch.setattr(app_package, "Flask", FlaskInTmpInstance)
    for name in [n for n in os.environ if n.startswith("KERMA_")]:
        monkeypatch.delenv(name)
    return folder


def test_default_database_is_sqlite_in_the_instance_folder(instance):
    app = create_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'kerma.db'}"


def test_postgresql_url_from_environment_uses_psycopg3(instance, monkeypatch):
    monkeypatch.setenv("KERMA_DATABASE_URL", "postgresql://kerma:s3cret@db.example:5432/kerma")

    app = create_app()

    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://kerma:s3cret@db.example:5432/kerma"
    )


def test_heroku_style_postgres_scheme_is_accepted(instance, monkeypatch):
    monkeypatch.setenv("KERMA_DATABASE_URL", "postgres://kerma@localhost/kerma")

    app = create_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://kerma@localhost/kerma"


def test_secret_key_file_is_private_and_reused(instance):
    first = create_app()
    key_file = instance / "secret_key"

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert create_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_workers_starting_together_agree_on_one_secret_key(tmp_path):
    # Eight gunicorn workers booting at once must not fail or read an empty key file.
    start = threading.Barrier(8)
    keys, errors = [], []

    def boot():
        start.wait()
        try:
            keys.append(load_secret_key(tmp_path))
        except OSError as error:
            errors.append(error)

    workers = [threading.Thread(target=boot) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_instance_config_file_is_read(instance):
    instance.mkdir()
    (instance / "config.py").write_text(
        "SECRET_KEY = 'from-config-file'\n"
        "SQLALCHEMY_DATABASE_URI = 'postgresql://site@dbhost/dose'\n"
        "DEFAULT_PAGE_SIZE = 50\n"
    )

    app = create_app()

    assert app.config["SECRET_KEY"] == "from-config-file"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://site@dbhost/dose"
    assert app.config["DEFAULT_PAGE_SIZE"] == 50
    # A key set in the file means no key file is written.
    assert not (instance / "secret_key").exists()


def test_environment_overrides_config_file_and_values_are_json(instance, monkeypatch):
    instance.mkdir()
    (instance / "config.py").write_text("DEFAULT_PAGE_SIZE = 50\n")
    monkeypatch.setenv("KERMA_DEFAULT_PAGE_SIZE", "100")
    monkeypatch.setenv("KERMA_PAGE_SIZES", "[10, 100]")
    monkeypatch.setenv("KERMA_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("KERMA_SECRET_KEY", "not json, kept as text")

    app = create_app()

    assert app.config["DEFAULT_PAGE_SIZE"] == 100
    assert app.config["PAGE_SIZES"] == [10, 100]
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "not json, kept as text"


def test_nested_environment_value_does_not_leak_into_the_next_app(instance, monkeypatch):
    monkeypatch.setenv("KERMA_SQLALCHEMY_ENGINE_OPTIONS__pool_recycle", "1800")

    tuned = create_app()
    monkeypatch.delenv("KERMA_SQLALCHEMY_ENGINE_OPTIONS__pool_recycle")
    plain = create_app()

    assert tuned.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_recycle": 1800}
    assert plain.config["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_test_config_skips_instance_file_and_environment(instance, monkeypatch):
    instance.mkdir()
    (instance / "config.py").write_text("DEFAULT_PAGE_SIZE = 50\n")
    monkeypatch.setenv("KERMA_DEFAULT_PAGE_SIZE", "100")

    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["DEFAULT_PAGE_SIZE"] == 25


@pytest.mark.parametrize("script", ["scripts/serve.sh", "scripts/test.sh", ".ci/run"])
def test_shell_scripts_parse(script):
    result = subprocess.run(["bash", "-n", str(REPO / script)], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
