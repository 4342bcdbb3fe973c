"""Browser tests: the real application served over HTTP, driven by headless Chromium.

`live_server` runs the app in a background thread on a free local port with CSRF protection
on, against a fresh SQLite file or the PostgreSQL database named by KERMA_TEST_DATABASE_URL.
`page` is a Playwright page in a new browser context whose relative URLs resolve against it.
Chromium is the system one (/usr/bin/chromium): Playwright's own browser download is not
used. Without it these tests skip on a developer machine and fail in CI (CI=true).
"""
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask, url_for
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

CHROMIUM = Path(os.environ.get("KERMA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a cold first page load, short enough that a missing element fails fast.
TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    """A running application: its Flask object (for app contexts) and its base URL."""

    app: Flask
    url: str

    def path_for(self, endpoint, **values):
        """URL path of an endpoint, e.g. ``path_for("auth.login")`` -> ``/login``."""
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def has_endpoint(self, endpoint):
        """Whether the application registers this endpoint."""
        return endpoint in self.app.view_functions


def _database_url(tmp_path):
    return os.environ.get("KERMA_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'kerma.db'}"


@pytest.fixture
def live_server(tmp_path):
    """Serve a fresh application and database over HTTP for one test."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
            # The browser submits forms as a person would, so CSRF stays on here.
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium, shared by all browser tests of the run."""
    if not CHROMIUM.exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context (own cookies) pointed at the live server."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def create_user(live_server, username, password, role="admin"):
    """Create a user in the live server's database through ``flask users create``."""
    runner = live_server.app.test_cli_runner()
    # The command asks for the password (and its confirmation) rather than taking it as an
    # argument, so it never lands in shell history.
    result = runner.invoke(
        args=["users", "create", username, "--role", role], input=f"{password}\n{password}\n"
    )
    if result.exit_code != 0:
        raise AssertionError(f"flask users create failed:\n{result.output}")


def log_in(page, live_server, username, password):
    """Log in through the login form as a person would, and wait for the next page."""
    page.goto(live_server.path_for("auth.login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form [type=submit]")


@pytest.fixture
def make_user(live_server):
    """Factory fixture: ``make_user(username, password, role)`` adds a user to the live server."""
    return lambda username, password, role="admin": create_user(
        live_server, username, password, role=role
    )


@pytest.fixture
def logged_in_page(page, live_server):
    """Factory fixture: ``logged_in_page(role)`` creates a user with that role and logs in."""

    def _log_in(role="admin", username=None, password="correct horse battery staple"):
        username = username or f"{role}-user"
        create_user(live_server, username, password, role=role)
        log_in(page, live_server, username, password)
        return page

    return _log_in
