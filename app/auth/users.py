"""Creating and changing user accounts; shared by the web pages and the ``flask users`` commands."""
import re
import secrets
from functools import lru_cache

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record_audit
from ..extensions import db
from ..models.auth import User, utcnow
from .roles import ROLES

MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[\w.@+-]{1,150}$")


class UserError(ValueError):
    """A user change that cannot be made; the message is meant for a person."""


def find_user(username: str) -> User | None:
    """The user with this username, compared without regard to case."""
    return db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )


def get_user(username: str) -> User:
    """The user with this username, or UserError when there is none."""
    user = find_user(username)
    if user is None:
        raise UserError(f"No user named {username!r}.")
    return user


def list_users() -> list[User]:
    """All users, by username."""
    return list(db.session.scalars(select(User).order_by(func.lower(User.username))))


def any_users() -> bool:
    """True once at least one user exists."""
    return db.session.scalar(select(User.id).limit(1)) is not None


def check_username(username: str) -> str:
    """The username stripped of spaces, or UserError when it is malformed or taken."""
    username = username.strip()
    if not USERNAME_PATTERN.match(username):
        raise UserError("A username is 1 to 150 letters, digits and . @ + - _ characters.")
    if find_user(username) is not None:
        raise UserError(f"A user named {username!r} already exists.")
    return username


def check_password(password: str) -> None:
    """Raise UserError when the password is too short to be accepted."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def check_roles(roles) -> list[str]:
    """The role names in ROLES order, or UserError naming any that do not exist."""
    roles = set(roles)
    unknown = sorted(roles - ROLES.keys())
    if unknown:
        raise UserError(f"Unknown role(s): {', '.join(unknown)}. Roles: {', '.join(ROLES)}.")
    return [name for name in ROLES if name in roles]


def create_user(username: str, password: str, roles=("view",)) -> User:
    """Create an active user holding exactly ``roles``."""
    username = check_username(username)
    check_password(password)
    user = User(username=username)
    user.roles = check_roles(roles)
    user.set_password(password)
    db.session.add(user)
    record_audit("user created", username, f"roles: {_role_list(user)}")
    db.session.commit()
    return user


def set_roles(user: User, roles) -> User:
    """Give the user exactly ``roles``."""
    user.roles = check_roles(roles)
    record_audit("roles changed", user.username, f"roles: {_role_list(user)}")
    db.session.commit()
    return user


def set_active(user: User, active: bool) -> User:
    """Enable or disable the account; a disabled user cannot log in and is logged out."""
    user.active = active
    record_audit("user enabled" if active else "user disabled", user.username)
    db.session.commit()
    return user


def set_password(user: User, password: str) -> User:
    """Replace the user's password."""
    check_password(password)
    user.set_password(password)
    record_audit("password set", user.username)
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The user whose username and password these are, active or not; None otherwise."""
    user = find_user(username)
    if user is None:
        # Hash anyway, so that the time taken does not tell which usernames exist.
        check_password_hash(_unmatchable_hash(current_app.config.get("PASSWORD_HASH_METHOD",
                                                                     "scrypt")), password)
        return None
    return user if user.check_password(password) else None


@lru_cache(maxsize=4)
def _unmatchable_hash(method):
    return generate_password_hash(secrets.token_hex(16), method=method)


def record_login(user: User) -> None:
    """Note the time of a successful login."""
    user.last_login = utcnow()
    db.session.commit()


def _role_list(user):
    return ", ".join(name for name in ROLES if name in user.roles) or "none"
