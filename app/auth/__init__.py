"""Login, users and roles."""
from flask import Blueprint
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import joinedload

from ..extensions import db, login_manager
from ..models.auth import User

bp = Blueprint("auth", __name__)


class AnonymousUser(AnonymousUserMixin):
    """A visitor who has not logged in: holds no roles."""

    roles = frozenset()

    def has_role(self, *names):
        """Anonymous visitors hold no role."""
        return False

    def has_any_role(self, *names):
        """Anonymous visitors hold no role."""
        return False


@login_manager.user_loader
def load_user(user_id):
    """The logged-in user from the session id; a disabled account counts as logged out."""
    try:
        # The roles in the same query: every request needs them (one round trip, not two).
        user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])
    except ValueError:
        return None
    return user if user is not None and user.active else None


def init_app(app):
    """Wire Flask-Login to the login page and to the anonymous user without roles."""
    from .roles import login_redirect

    login_manager.login_view = "auth.login"
    login_manager.anonymous_user = AnonymousUser
    login_manager.unauthorized_handler(login_redirect)


from . import views  # noqa: E402,F401  (registers the routes on bp)
