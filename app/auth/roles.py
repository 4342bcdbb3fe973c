"""Roles, and the decorators that say who may call each view.

Every view carries one of three marks, which ``tests/test_roles.py`` reads from the view
function: ``@public`` (anyone), ``@login_only`` (any logged-in user: the account pages), or
``@role_required(...)`` (logged in, holding ``view`` and every named role). Holding ``admin``
grants nothing else by itself.
"""
from functools import wraps
from urllib.parse import urlsplit

from flask import Response, abort, redirect, request, url_for
from flask_login import current_user

from ..htmx import is_htmx_request

ROLES = {
    "view": "Browse studies: lists, details, charts and the home page",
    "export": "Create, download and delete exports",
    "pid": "See and filter on patient name, ID and birth date; with export, export them",
    "importsize": "Upload patient height and weight files",
    "importqr": "Query and retrieve studies from configured DICOM nodes",
    "admin": "Manage users, delete studies, change site settings",
}

# Every page showing dose data needs it; without it a user can only manage their own account.
VIEW_ROLE = "view"


def required_roles(roles) -> tuple[str, ...]:
    """``view`` and ``roles``, each once; an unknown role name is a programming error."""
    unknown = [name for name in roles if name not in ROLES]
    if unknown:
        raise ValueError(f"unknown role(s): {', '.join(unknown)}")
    return tuple(dict.fromkeys((VIEW_ROLE, *roles)))


def missing_roles(user, required) -> list[str]:
    """The roles of ``required`` that ``user`` does not hold."""
    return [name for name in required if not user.has_role(name)]


def role_required(*roles: str):
    """Let a view run only for logged-in users holding ``view`` and every one of ``roles``."""
    required = required_roles(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_redirect()
            missing = missing_roles(current_user, required)
            if missing:
                abort(403, description=_missing_roles_message(missing))
            return view(*args, **kwargs)

        wrapped.required_roles = required
        return wrapped

    return decorator


def login_only(view):
    """Let a view run for any logged-in user, whatever roles they hold (account pages)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_redirect()
        return view(*args, **kwargs)

    wrapped.required_roles = ()
    return wrapped


def public(view):
    """Mark a view as open to anonymous visitors (the login page)."""
    view.public = True
    return view


def login_redirect():
    """Send an anonymous visitor to the login page, coming back here afterwards.

    An htmx request gets 401 with ``HX-Redirect`` instead, so that htmx loads the login page
    as a whole page rather than swapping a login form into part of the current one.
    """
    if is_htmx_request():
        target = url_for("auth.login", next=_htmx_return_path())
        response = Response("Login required.", 401, {"HX-Redirect": target})
        response.vary.add("HX-Request")
        return response
    # After login the browser repeats the request as a GET, so only a GET can be returned to.
    next_path = request.full_path.rstrip("?") if request.method == "GET" else None
    response = redirect(url_for("auth.login", next=next_path))
    response.vary.add("HX-Request")
    return response


def _htmx_return_path():
    """The page the user was on (htmx sends its URL), so login leads back to a whole page."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if current.netloc == request.host and current.path:
        return current.path + (f"?{current.query}" if current.query else "")
    return None


def _missing_roles_message(missing):
    if VIEW_ROLE in missing:
        return ("Your account has no access to dose data. "
                "Ask an administrator to give you the view role.")
    names = ", ".join(missing)
    return f"This page needs the {names} role{'s' if len(missing) > 1 else ''}."
