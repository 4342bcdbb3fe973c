"""Users, the roles they hold, and the audit log of administrative actions."""
from datetime import datetime, timezone

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db


def utcnow() -> datetime:
    """Current time in UTC without tzinfo, as stored in DateTime columns on both databases."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    last_login: Mapped[datetime | None]
    # Display preferences: rows per list page and the two "studies in the last N days" columns.
    page_size: Mapped[int] = mapped_column(default=25)
    # The Charts view's last choices per modality, as JSON ({"ct": {"chart": [...], ...}}).
    chart_options: Mapped[str | None] = mapped_column(Text)
    # Where alert e-mails go (the user opts in per modality on the alerts' e-mail page).
    email: Mapped[str | None] = mapped_column(String(254))
    home_days_1: Mapped[int] = mapped_column(default=7)
    home_days_2: Mapped[int] = mapped_column(default=28)

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        order_by="UserRole.role",
    )

    def __repr__(self):
        return f"<User {self.username!r}>"

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses to log in, and forgets, users that are not active."""
        return self.active

    @property
    def roles(self) -> frozenset[str]:
        """Names of the roles this user holds."""
        return frozenset(row.role for row in self.role_rows)

    @roles.setter
    def roles(self, names):
        wanted = set(names)
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        held = {row.role for row in self.role_rows}
        self.role_rows.extend(UserRole(role=name) for name in sorted(wanted - held))

    def has_role(self, *names: str) -> bool:
        """True when the user holds every one of the given roles."""
        return set(names) <= self.roles

    def has_any_role(self, *names: str) -> bool:
        """True when the user holds at least one of the given roles."""
        return bool(set(names) & self.roles)

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password; the method is a site setting."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)


class UserRole(db.Model):
    """One role held by one user; role names are the keys of ``app.auth.roles.ROLES``."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")

    def __repr__(self):
        return f"<UserRole {self.user_id} {self.role!r}>"


class AuditLog(db.Model):
    """Who did what to which thing: deletions, user administration."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    username: Mapped[str | None] = mapped_column(String(150), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str] = mapped_column(String(255))
    details: Mapped[str | None] = mapped_column(Text)

    def __repr__(self):
        return f"<AuditLog {self.action} {self.target!r} by {self.username!r}>"


class ApiToken(db.Model):
    """A token a user made for a program to call the JSON API in their name.

    Only the SHA-256 digest of the token is kept: the token itself is shown once, when it is
    made. ``prefix`` (its first characters) tells the user's tokens apart on their page.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    last_used: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self):
        return f"<ApiToken {self.id} {self.prefix!r} of user {self.user_id}>"
