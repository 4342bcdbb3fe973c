"""API tokens: made for a user, kept only as a digest, looked up from a Bearer header.

A token is 32 random bytes (``secrets.token_urlsafe``) behind the ``kerma_`` prefix. With that
much randomness a plain SHA-256 digest cannot be searched back to the token, so the digest is
stored unsalted and a token is found by its digest in one indexed look-up.
"""
import datetime
import hashlib
import secrets

from sqlalchemy import select

from ..extensions import db
from ..models.auth import ApiToken, User, utcnow

TOKEN_PREFIX = "kerma_"
#: Characters of the token shown on the user's page to tell tokens apart.
SHOWN_CHARACTERS = 12
MAX_NAME_LENGTH = 100
#: How stale "last used" may be: a program calling many times a minute writes once a minute.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the stored row and the token itself, to be shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=(name.strip() or "API token")[:MAX_NAME_LENGTH],
                   prefix=token[:SHOWN_CHARACTERS], token_hash=digest(token))
    db.session.add(row)
    return row, token


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created.desc(), ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Delete one of the user's own tokens; None when the user has no token of that id."""
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if row is not None:
        db.session.delete(row)
    return row


def user_for_token(token: str) -> User | None:
    """The active user a token belongs to, noting when it was used; None for any other token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used is None or now - row.last_used >= LAST_USED_RESOLUTION:
        row.last_used = now
        db.session.commit()
    return row.user


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
