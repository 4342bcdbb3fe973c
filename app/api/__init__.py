"""The JSON API (``/api/v1/...``) and the account page where users make their API tokens.

Programs call the API with a token (``Authorization: Bearer ...``) made on the user's
Account > API tokens page; the token carries its owner's roles (docs/api.md).
"""
from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API reads no session cookie (``auth.token_required``), so no other site can make a
# browser call it in its user's name: a CSRF token has nothing to protect here.
csrf.exempt(bp)

tokens_bp = Blueprint("api_tokens", __name__)

from . import account, views  # noqa: E402,F401  (registers the routes)
