"""Kerma: radiation exposure monitoring for hospitals."""
import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask

from .config import Defaults
from .extensions import csrf, db, login_manager, migrate


def create_app(test_config=None):
    """Build the Flask application: config, extensions, blueprints, CLI and error pages."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.config.from_object(Defaults)
    # from_object copies references: give this app its own dicts, so a nested KERMA_A__B
    # variable updates this app's settings and not the shared Defaults class.
    app.config.update({k: dict(v) for k, v in app.config.items() if isinstance(v, dict)})
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        _apply_environment(app)
    else:
        app.config.from_mapping(test_config)
    _complete_config(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)

    from . import models  # noqa: F401  (registers every table on db.metadata)
    from .database import install_engine_hooks

    # SQLAlchemy's own pool_pre_ping, if a site sets it, tests every checkout: ours is then moot.
    ping_after_idle = None if app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping") \
        else app.config.get("DATABASE_PING_AFTER_IDLE")
    with app.app_context():
        install_engine_hooks(db.engine, ping_after_idle)

    _register_blueprints(app)
    _register_web(app)
    _register_cli(app)
    return app


def _apply_environment(app):
    """KERMA_* environment variables override instance/config.py."""
    if url := os.environ.get("KERMA_DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.from_prefixed_env("KERMA")


def _complete_config(app):
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not uri:
        uri = "sqlite:///" + str(Path(app.instance_path) / "kerma.db")
    if uri.startswith("postgresql://") or uri.startswith("postgres://"):
        # psycopg 3 is the driver we install; SQLAlchemy would otherwise look for psycopg2.
        uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(Path(app.instance_path))


def load_secret_key(instance_path: Path) -> str:
    """Read the site's secret key from the instance folder, creating it on first use."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        # Several gunicorn workers may start at once: write the key to a private temporary
        # file and link it into place, so the first link wins and nobody reads a half-written
        # or empty file.
        fd, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.link(temporary, key_file)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return key_file.read_text().strip()


def _register_blueprints(app):
    from .auth import bp as auth_bp
    from .exports.views import bp as exports_bp
    from .importing.views import bp as imports_bp
    from .admin import register as register_admin
    from .main import bp as main_bp
    from .network import bp as network_bp
    from .tasks.views import bp as tasks_bp
    from .drl import bp as drl_bp
    from .charts import bp as charts_bp
    from .equipment import bp as equipment_bp
    from .patients import bp as patients_bp
    from .alerts.views import bp as alerts_bp
    from .skindose.views import bp as skindose_bp
    from .modalities import register as register_modalities
    from .api import bp as api_bp, tokens_bp as api_tokens_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(imports_bp)
    register_admin(app)
    register_modalities(app)
    app.register_blueprint(network_bp)
    app.register_blueprint(tasks_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(drl_bp)
    app.register_blueprint(charts_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_tokens_bp)
    app.register_blueprint(equipment_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(patients_bp)
    app.register_blueprint(skindose_bp)


def _register_web(app):
    from . import auth, errors, navigation
    from .tasks import queue

    auth.init_app(app)
    queue.init_app(app)
    errors.register(app)
    navigation.register(app)


def _register_cli(app):
    from .cli import register

    register(app)
