"""Every endpoint says who may call it, and the check holds for anonymous and role-less users.

The walk over ``app.url_map`` covers blueprints added later without changes here: a new view
without ``@public``, ``@login_only``, ``@role_required`` or (the JSON API) ``@token_required``
fails ``test_every_endpoint_is_marked``. API endpoints answer a caller without a valid token
with 401 and are called with a token of the user lacking a role.
"""
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, UUIDConverter

from app.api.tokens import create_token
from app.auth.roles import ROLES, role_required
from app.extensions import db
from app.models.auth import User


def _protected_endpoints(app):
    """(endpoint, URL, method, required roles) for every view that is not public."""
    found = []
    for rule in app.url_map.iter_rules():
        if _is_static(rule.endpoint):
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "public", False):
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        found.append((rule.endpoint, _dummy_path(rule), method,
                      getattr(view, "required_roles", None)))
    return found


def _is_api(app, endpoint):
    return getattr(app.view_functions[endpoint], "token_auth", False)


def _token_for(app, user):
    with app.app_context():
        _, token = create_token(db.session.get(User, user.id), "roles test")
        db.session.commit()
    return token


def _dummy_path(rule):
    """A URL the rule matches, with made-up values for its variables."""
    for fallback in ("x", "1", "2024-01-02"):
        built = rule.build(_dummy_values(rule, fallback))
        if built is not None:
            return built[1]
    raise AssertionError(f"cannot make up values for {rule.rule}: teach _dummy_values")


def _is_static(endpoint):
    return endpoint == "static" or endpoint.endswith(".static")


def _dummy_values(rule, fallback):
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, FloatConverter):
            values[name] = 1.5
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.UUID(int=1)
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = fallback
    return values


def _unmarked(app):
    unmarked = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if _is_static(rule.endpoint) or getattr(view, "public", False):
            continue
        roles = getattr(view, "required_roles", None)
        if roles is None or not set(roles) <= ROLES.keys():
            unmarked.append(rule.endpoint)
    return unmarked


def _not_sent_to_login(client, app, htmx=False):
    wrong = []
    headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost/somewhere?page=2"}
    for endpoint, path, method, _ in _protected_endpoints(app):
        response = client.open(path, method=method, headers=headers if htmx else {})
        if _is_api(app, endpoint):
            # A program gets 401 and a Bearer challenge, never a login page.
            if (response.status_code != 401 or "Location" in response.headers
                    or "HX-Redirect" in response.headers
                    or not response.headers.get("WWW-Authenticate", "").startswith("Bearer")
                    or response.get_json()["status"] != 401):
                wrong.append(endpoint)
            continue
        if htmx:
            target = response.headers.get("HX-Redirect", "")
            if (response.status_code != 401 or "Location" in response.headers
                    or target != "/login?next=/somewhere?page%3D2"):
                wrong.append(endpoint)
            continue
        location = urlsplit(response.headers.get("Location", ""))
        if response.status_code != 302 or location.path != "/login":
            wrong.append(endpoint)
        elif method == "GET" and parse_qs(location.query).get("next") != [path]:
            wrong.append(endpoint)
    return wrong


def _not_forbidden(client, app, lacking, log_in):
    """Endpoints that let in a user lacking one of their roles, and how many checks ran."""
    wrong = []
    checked = 0
    tokens = {}
    for endpoint, path, method, required in _protected_endpoints(app):
        for role in required or ():
            checked += 1
            if _is_api(app, endpoint):
                if role not in tokens:
                    tokens[role] = _token_for(app, lacking[role])
                response = client.open(path, method=method,
                                       headers={"Authorization": f"Bearer {tokens[role]}"})
            else:
                log_in(lacking[role])
                response = client.open(path, method=method)
            if response.status_code != 403:
                wrong.append(f"{endpoint} without {role}")
    return wrong, checked


def _users_lacking_one_role(make_user):
    """One user per role, holding every role but that one."""
    return {role: make_user(username=f"no-{role}", roles=set(ROLES) - {role})
            for role in ROLES}


def test_every_endpoint_is_marked(app):
    assert _unmarked(app) == []


def test_the_walk_sees_the_known_endpoints(app):
    walked = {endpoint: roles for endpoint, _, _, roles in _protected_endpoints(app)}
    assert walked["main.home"] == ("view",)
    assert walked["auth.user_list"] == ("view", "admin")
    assert walked["auth.set_roles"] == ("view", "admin")
    assert walked["auth.change_password"] == ()
    assert walked["auth.logout"] == ()
    assert "auth.login" not in walked
    # The equipment and patient settings pages are for administrators only.
    for endpoint in ("equipment.index", "equipment.rename", "equipment.modality",
                     "equipment.review", "patients.identifiers", "patients.save_identifiers",
                     "patients.indicators", "patients.reevaluation_progress",
                     "patients.save_indicators", "patients.reevaluate_indicators",
                     "drl.names", "drl.assign_names", "equipment.localizer_calibrations",
                     "equipment.localizer_device", "equipment.set_localizer_calibration",
                     "equipment.phantom_calibration", "equipment.remove_localizer_calibration"):
        assert walked[endpoint] == ("view", "admin"), endpoint
    assert walked["admin.audit_log"] == ("view", "admin")
    assert walked["admin.audit_log_csv"] == ("view", "admin")
    assert walked["patients.patient"] == ("view",)  # and pid, unless IDs are hashed
    assert walked["patients.patient_csv"] == ("view",)
    assert walked["alerts.index"] == ("view",)
    assert walked["skindose.study_map"] == ("view",)
    assert walked["alerts.acknowledge"] == ("view",)
    assert walked["alerts.mail_choices"] == ("view",)
    assert walked["alerts.save_mail_choices"] == ("view",)
    for endpoint in ("alerts.rules", "alerts.add_rule", "alerts.edit_rule",
                     "alerts.add_default_rules"):
        assert walked[endpoint] == ("view", "admin")
    # Query-retrieve: querying and echoing need importqr, nodes and schedules admin.
    for endpoint in ("network.nodes_page", "network.node_echo", "network.queries_page",
                     "network.query_start", "network.query_detail", "network.query_retry"):
        assert walked[endpoint] == ("view", "importqr"), endpoint
    for endpoint in ("network.node_add", "network.node_delete", "network.schedules_page",
                     "network.schedule_add", "network.schedule_toggle",
                     "network.schedule_delete"):
        assert walked[endpoint] == ("view", "admin"), endpoint


def test_anonymous_users_are_sent_to_login(client, app):
    assert _not_sent_to_login(client, app) == []


def test_anonymous_htmx_requests_get_401_with_hx_redirect(client, app):
    assert _not_sent_to_login(client, app, htmx=True) == []


def test_users_lacking_a_required_role_get_403(client, app, make_user, log_in):
    wrong, checked = _not_forbidden(client, app, _users_lacking_one_role(make_user), log_in)
    assert wrong == []
    assert checked >= 13  # home, plus view and admin on each of the six admin endpoints


def test_the_checks_catch_views_that_forget_their_guard(app, client, make_user, log_in):
    """Break the rules on purpose: each check above must notice."""

    @app.get("/unguarded")
    def unguarded():
        return "data"

    @app.get("/claims-a-role/<int:study_id>")
    def claims_a_role(study_id):
        return "data"

    claims_a_role.required_roles = ("view", "export")  # marked, but nothing enforces it

    @app.get("/api/v1/claims-a-token")
    def claims_a_token():
        return {"data": 1}

    claims_a_token.required_roles = ("view",)  # marked as an API view, but nothing checks
    claims_a_token.token_auth = True

    @app.get("/guarded-export")
    @role_required("export")
    def guarded_export():
        return "data"

    assert _unmarked(app) == ["unguarded"]
    assert "claims_a_role" in _not_sent_to_login(client, app)
    assert "claims_a_role" in _not_sent_to_login(client, app, htmx=True)
    assert "guarded_export" not in _not_sent_to_login(client, app)
    assert "claims_a_token" in _not_sent_to_login(client, app)
    wrong, _ = _not_forbidden(client, app, _users_lacking_one_role(make_user), log_in)
    assert "claims_a_role without export" in wrong
    assert "claims_a_role without view" in wrong
    assert "claims_a_token without view" in wrong
    assert not [entry for entry in wrong if entry.startswith("guarded_export")]


def test_api_endpoints_are_marked_and_need_a_token(app):
    walked = {endpoint: roles for endpoint, _, _, roles in _protected_endpoints(app)}
    api = {endpoint for endpoint in walked if endpoint.startswith("api.")}
    assert api and all(_is_api(app, endpoint) for endpoint in api)
    assert walked["api.studies"] == ("view",)
    assert walked["api.export"] == ("view", "export")
    assert walked["api_tokens.tokens"] == ()


def test_a_logged_in_session_does_not_open_the_api(client, app, make_user, log_in):
    """The API reads tokens only: a browser session of a user holding every role gets 401."""
    log_in(make_user(roles=set(ROLES)))
    refused = [endpoint for endpoint, path, method, _ in _protected_endpoints(app)
               if _is_api(app, endpoint)
               and client.open(path, method=method).status_code != 401]
    assert refused == []


def test_user_without_view_role_is_told_they_have_no_access(client, login_as):
    login_as("export")
    response = client.get("/")
    assert response.status_code == 403
    assert b"Your account has no access to dose data" in response.data
    assert b"give you the view role" in response.data


def test_user_without_view_role_may_still_manage_their_own_account(client, login_as):
    login_as()
    assert client.get("/account/password").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_missing_role_is_named_on_the_403_page(client, login_as):
    login_as("view")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert b"This page needs the admin role." in response.data


def test_403_for_htmx_is_a_fragment(client, login_as):
    login_as("view")
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.data.startswith(b'<div class="alert alert-danger"')
    assert b"<html" not in response.data
    assert "HX-Request" in response.headers["Vary"]


def test_admin_role_alone_does_not_grant_other_roles(client, login_as):
    login_as("view", "admin")
    assert client.get("/admin/users").status_code == 200
    login_as("admin")
    assert client.get("/admin/users").status_code == 403


def test_role_required_rejects_unknown_role_names():
    with pytest.raises(ValueError, match="unknown role"):
        role_required("exports")


def test_role_required_always_includes_view():
    @role_required("export", "pid")
    def view():
        return "ok"

    assert view.required_roles == ("view", "export", "pid")
