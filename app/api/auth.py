"""Who may call an API endpoint: a Bearer token, and the same roles as the web pages.

``token_required(...)`` is the API's counterpart of ``role_required``: the caller is the
owner of the token, who must hold ``view`` and every named role. No session cookie is read,
so a page open in a browser cannot be made to call the API, and the API needs no CSRF token.
"""
from functools import wraps

from flask import current_app, jsonify, request

from ..auth.roles import missing_roles, required_roles
from .tokens import bearer_token, user_for_token

REALM = 'Bearer realm="kerma"'


def api_error(status: int, message: str, **headers):
    """A JSON error answer: ``{"status": 401, "error": "..."}``."""
    response = jsonify({"status": status, "error": message})
    response.status_code = status
    response.headers.update(headers)
    return response


def token_required(*roles: str):
    """Let an API view run only for a valid token whose user holds ``view`` and ``roles``."""
    required = required_roles(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = bearer_token(request.headers.get("Authorization"))
            if token is None:
                return api_error(401, "Send an API token: Authorization: Bearer <token>.",
                                 **{"WWW-Authenticate": REALM})
            user = user_for_token(token)
            if user is None:
                return api_error(401, "This API token is not valid, or has been revoked.",
                                 **{"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
            # The token's owner is the current user for this request only (nothing is written
            # to the session), so code shared with the pages sees their roles and name.
            current_app.login_manager._update_request_context_with_user(user)
            missing = missing_roles(user, required)
            if missing:
                names = ", ".join(missing)
                return api_error(403, f"This needs the {names} role"
                                      f"{'s' if len(missing) > 1 else ''}.")
            return view(*args, **kwargs)

        wrapped.required_roles = required
        wrapped.token_auth = True
        return wrapped

    return decorator
