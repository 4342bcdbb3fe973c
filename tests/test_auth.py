"""Login, logout, own password, the user administration pages and CSRF protection."""
import re

import pytest
from sqlalchemy import select

from app.auth.views import safe_next_path
from app.extensions import db
from app.models.auth import AuditLog, User
from accounts import DEFAULT_PASSWORD


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.role_rows  # noqa: B018
        db.session.expunge(user)
        return user


def _audit(app):
    with app.app_context():
        return [(e.username, e.action, e.target, e.details)
                for e in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]


def _login(client, username, password, next_path=None):
    url = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"username": username, "password": password})


# Login and logout

def test_login_page_tells_how_to_create_the_first_admin_when_there_are_no_users(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"flask users create admin --role admin" in response.data


def test_login_page_has_no_first_run_hint_once_a_user_exists(client, make_user):
    make_user("alice")
    response = client.get("/login")
    assert b'id="first-run"' not in response.data
    assert b'name="username"' in response.data


def test_login_with_right_password_goes_home_and_records_the_time(client, app, make_user):
    make_user("alice", roles=("view",), password="s3cret-pass")
    response = _login(client, "alice", "s3cret-pass")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert b"Welcome, alice." in home.data
    assert _user(app, "alice").last_login is not None


def test_username_is_matched_without_regard_to_case(client, make_user):
    make_user("Alice", password="s3cret-pass")
    assert _login(client, "alice", "s3cret-pass").headers["Location"] == "/"


def test_wrong_password_is_refused(client, app, make_user):
    make_user("alice", password="s3cret-pass")
    response = _login(client, "alice", "wrong-pass")
    assert response.status_code == 200
    assert b"Wrong username or password." in response.data
    assert client.get("/").status_code == 302
    assert _user(app, "alice").last_login is None


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, make_user):
    make_user("alice")
    response = _login(client, "bob", DEFAULT_PASSWORD)
    assert b"Wrong username or password." in response.data


def test_inactive_user_cannot_log_in(client, make_user):
    make_user("alice", active=False)
    response = _login(client, "alice", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert b"This account is disabled." in response.data
    assert client.get("/").status_code == 302


def test_disabled_user_is_logged_out_at_the_next_request(client, app, login_as):
    user = login_as("view")
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/"


def test_login_returns_to_the_requested_page(client, make_user):
    make_user("alice", roles=("view", "admin"))
    response = _login(client, "alice", DEFAULT_PASSWORD, next_path="/admin/users")
    assert response.headers["Location"] == "/admin/users"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/",
                                    "/\\evil.example", "evil.example", "javascript:alert(1)"])
def test_login_refuses_to_redirect_off_the_site(client, make_user, target):
    make_user("alice")
    response = _login(client, "alice", DEFAULT_PASSWORD, next_path=target)
    assert response.headers["Location"] == "/"


def test_safe_next_path_keeps_query_strings_of_local_paths():
    assert safe_next_path("/ct/?page=2&sort=date") == "/ct/?page=2&sort=date"
    assert safe_next_path("//evil.example/ct/") is None
    assert safe_next_path("/ct/\r\nSet-Cookie: x") is None
    assert safe_next_path(None) is None


def test_logged_in_user_visiting_login_goes_home(client, login_as):
    login_as("view")
    assert client.get("/login").headers["Location"] == "/"


def test_logout_needs_post_and_ends_the_session(client, login_as):
    login_as("view")
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


# Own password

def test_change_password_needs_the_current_password(client, app, login_as):
    user = login_as("view")
    response = client.post("/account/password", data={
        "current_password": "not-my-password", "new_password": "brand-new-pass",
        "confirm_password": "brand-new-pass"})
    assert response.status_code == 200
    assert b"This is not your current password." in response.data
    with app.app_context():
        assert db.session.get(User, user.id).check_password(DEFAULT_PASSWORD)


def test_change_password_sets_the_new_one(client, app, login_as):
    user = login_as()  # no roles: changing one's own password needs none
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": "brand-new-pass",
        "confirm_password": "brand-new-pass"})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.check_password("brand-new-pass")
        assert not stored.check_password(DEFAULT_PASSWORD)
    assert _audit(app) == [(user.username, "password set", user.username, None)]


def test_change_password_refuses_short_or_mismatched_passwords(client, app, login_as):
    user = login_as("view")
    short = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": "seven77",
        "confirm_password": "seven77"})
    assert b"At least 8 characters." in short.data
    mismatch = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": "eight888",
        "confirm_password": "eight889"})
    assert b"The passwords differ." in mismatch.data
    with app.app_context():
        assert db.session.get(User, user.id).check_password(DEFAULT_PASSWORD)


# User administration

def test_user_list_shows_users_with_their_roles(client, login_as, make_user):
    login_as("view", "admin", username="boss")
    make_user("carol", roles=("view", "export"), active=False)
    response = client.get("/admin/users")
    assert response.status_code == 200
    html = response.data.decode()
    row = re.search(r'<tr id="user-2".*?</tr>', html, re.S).group(0)
    assert "carol" in row
    assert re.search(r'value="export"\s+id="user-2-export" checked', row)
    assert not re.search(r'value="pid"\s+id="user-2-pid" checked', row)
    assert "disabled</span>" in row
    assert "Enable</button>" in row


def test_admin_creates_a_user(client, app, login_as):
    login_as("view", "admin", username="boss")
    response = client.post("/admin/users/new", data={
        "username": "dave", "new_password": "dave-pass-1", "confirm_password": "dave-pass-1",
        "roles": ["view", "pid"]})
    assert response.headers["Location"] == "/admin/users"
    dave = _user(app, "dave")
    assert dave.roles == {"view", "pid"}
    assert dave.active
    with app.app_context():
        assert db.session.get(User, dave.id).check_password("dave-pass-1")
    assert _audit(app) == [("boss", "user created", "dave", "roles: view, pid")]


def test_creating_a_user_with_a_taken_name_is_refused(client, app, login_as, make_user):
    login_as("view", "admin")
    make_user("dave")
    response = client.post("/admin/users/new", data={
        "username": "DAVE", "new_password": "dave-pass-1", "confirm_password": "dave-pass-1",
        "roles": ["view"]})
    assert response.status_code == 200
    assert b"A user named &#39;DAVE&#39; already exists." in response.data


def test_creating_a_user_with_an_unknown_role_is_refused(client, app, login_as):
    login_as("view", "admin")
    response = client.post("/admin/users/new", data={
        "username": "dave", "new_password": "dave-pass-1", "confirm_password": "dave-pass-1",
        "roles": ["view", "superuser"]})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "dave")) is None


def test_admin_sets_roles_in_place_with_htmx(client, app, login_as, make_user):
    login_as("view", "admin", username="boss")
    carol = make_user("carol", roles=("view",))
    response = client.post(f"/admin/users/{carol.id}/roles",
                           data={"roles": ["view", "export", "importsize"]},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.data.lstrip().startswith(f'<tr id="user-{carol.id}"'.encode())
    assert b"Roles saved." in response.data
    assert _user(app, "carol").roles == {"view", "export", "importsize"}
    assert _audit(app)[-1] == ("boss", "roles changed", "carol",
                               "roles: view, export, importsize")


def test_setting_roles_without_htmx_goes_back_to_the_list(client, app, login_as, make_user):
    login_as("view", "admin")
    carol = make_user("carol", roles=("view", "export"))
    response = client.post(f"/admin/users/{carol.id}/roles", data={})
    assert response.headers["Location"] == "/admin/users"
    assert _user(app, "carol").roles == set()
    assert b"carol: Roles saved." in client.get("/admin/users").data


def test_admin_cannot_take_admin_or_view_from_themselves(client, app, login_as):
    boss = login_as("view", "admin")
    response = client.post(f"/admin/users/{boss.id}/roles", data={"roles": ["view"]},
                           headers={"HX-Request": "true"})
    assert b"You cannot take the admin or view role from yourself." in response.data
    assert _user(app, boss.username).roles == {"view", "admin"}


def test_admin_disables_and_enables_a_user(client, app, login_as, make_user):
    login_as("view", "admin", username="boss")
    carol = make_user("carol")
    response = client.post(f"/admin/users/{carol.id}/disable", headers={"HX-Request": "true"})
    assert b"Account disabled." in response.data
    assert b"Enable</button>" in response.data
    assert _user(app, "carol").active is False
    response = client.post(f"/admin/users/{carol.id}/enable", headers={"HX-Request": "true"})
    assert b"Account enabled." in response.data
    assert _user(app, "carol").active is True
    assert [entry[1] for entry in _audit(app)] == ["user disabled", "user enabled"]


def test_admin_cannot_disable_themselves(client, app, login_as):
    boss = login_as("view", "admin")
    response = client.post(f"/admin/users/{boss.id}/disable", headers={"HX-Request": "true"})
    assert b"You cannot disable your own account." in response.data
    assert _user(app, boss.username).active is True


def test_admin_resets_a_password(client, app, login_as, make_user):
    login_as("view", "admin", username="boss")
    carol = make_user("carol")
    assert client.get(f"/admin/users/{carol.id}/password").status_code == 200
    response = client.post(f"/admin/users/{carol.id}/password", data={
        "new_password": "fresh-pass-9", "confirm_password": "fresh-pass-9"})
    assert response.headers["Location"] == "/admin/users"
    with app.app_context():
        assert db.session.get(User, carol.id).check_password("fresh-pass-9")
    assert _audit(app) == [("boss", "password set", "carol", None)]


def test_admin_pages_answer_404_for_an_unknown_user(client, login_as):
    login_as("view", "admin")
    response = client.post("/admin/users/999/disable")
    assert response.status_code == 404
    assert b"There is no such user." in response.data


# Page shell

def test_navigation_shows_links_by_role_and_only_for_existing_pages(client, login_as):
    login_as("view")
    html = client.get("/").data.decode()
    assert 'href="/account/password"' in html
    assert 'href="/admin/users"' not in html
    login_as("view", "admin")
    html = client.get("/").data.decode()
    assert 'href="/admin/users"' in html
    assert 'href="/ct/"' in html and 'href="/admin/audit-log"' in html
    # Links to parts not installed (no exports blueprint here) are left out: no dead links.
    if "exports.index" not in client.application.view_functions:
        assert ">Exports<" not in html


def test_page_shell_uses_vendored_assets_and_sends_the_csrf_token_with_htmx(client, login_as):
    login_as("view")
    html = client.get("/").data.decode()
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "/static/vendor/bootstrap-5.3.8.min.css" in html
    assert "/static/vendor/bootstrap-5.3.8.bundle.min.js" in html
    assert "//cdn" not in html and "https://" not in html
    assert re.search(r"""<body hx-headers='\{"X-CSRFToken": "[^"]+"\}'>""", html)


def test_vendored_assets_are_served(client):
    for name in ("vendor/htmx-2.0.11.min.js", "vendor/bootstrap-5.3.8.min.css",
                 "vendor/bootstrap-5.3.8.bundle.min.js", "kerma.css", "kerma.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        response.close()


def test_404_page_is_in_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"There is nothing at this address." in response.data
    assert b"<nav" in response.data


def test_413_for_too_large_uploads(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"username": "a" * 2000, "password": "x"})
    assert response.status_code == 413
    assert b"The upload is larger than this site accepts." in response.data


def test_500_page_is_in_the_layout(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side." in response.data
    fragment = app.test_client().get("/boom", headers={"HX-Request": "true"})
    assert fragment.data.startswith(b'<div class="alert alert-danger" role="alert" data-status="500"')


# CSRF

def test_post_without_csrf_token_is_rejected(csrf_app, make_user):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "alice", "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert b"The form was not sent from this site, or it has expired." in response.data


def test_post_with_csrf_token_from_the_form_is_accepted(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        db.session.add(User(username="alice", password_hash="x"))
        db.session.commit()
        user = db.session.scalar(select(User))
        user.set_password(DEFAULT_PASSWORD)
        db.session.commit()
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "alice", "password": DEFAULT_PASSWORD,
                                           "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_htmx_post_carries_the_token_in_a_header(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        for name, roles in (("boss", ["view", "admin"]), ("carol", ["view"])):
            user = User(username=name)
            user.roles = roles
            user.set_password(DEFAULT_PASSWORD)
            db.session.add(user)
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
    page = client.get("/admin/users").data.decode()
    token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", page).group(1)
    refused = client.post("/admin/users/2/disable", headers={"HX-Request": "true"})
    assert refused.status_code == 400
    accepted = client.post("/admin/users/2/disable",
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert accepted.status_code == 200
    assert b"Account disabled." in accepted.data
