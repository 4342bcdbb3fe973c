"""Smoke tests of the served application in a real browser."""
import pytest

pytestmark = pytest.mark.browser


def test_browser_loads_pages_from_the_live_server(page, live_server):
    """The harness itself: Chromium starts, the server thread answers, the page is ours."""
    response = page.goto("/")

    assert response.status == 200
    assert page.url.startswith(live_server.url + "/")


def test_anonymous_visitor_is_sent_to_the_login_form(page, live_server):
    """Opening the home page without a session lands on the login form, CSRF token and all."""
    if not live_server.has_endpoint("auth.login"):
        pytest.skip("the application registers no auth.login endpoint yet")
    login_path = live_server.path_for("auth.login")

    page.goto("/")

    assert page.url.split("?")[0] == live_server.url + login_path
    form = page.locator("form", has=page.locator("input[name=password]"))
    assert form.locator("input[name=username]").count() == 1
    assert form.locator("input[name=password]").get_attribute("type") == "password"
    assert form.locator("[type=submit]").count() == 1
    # With CSRF on, a login form without its token could never be submitted.
    assert form.locator("input[name=csrf_token]").get_attribute("value")
