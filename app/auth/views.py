"""Login and logout, the own-account page, and the user administration pages."""
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import db
from ..htmx import is_htmx_request
from ..models.auth import User
from . import bp, users
from .forms import ChangePasswordForm, CreateUserForm, LoginForm, ResetPasswordForm, RolesForm
from .roles import ROLES, VIEW_ROLE, login_only, public, role_required


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Log a user in and send them on to the page they asked for."""
    next_path = safe_next_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.username.data, form.password.data)
        if user is None:
            flash("Wrong username or password.", "danger")
        elif not login_user(user):
            flash("This account is disabled. Ask an administrator to enable it.", "danger")
        else:
            users.record_login(user)
            return redirect(next_path or url_for("main.home"))
    return render_template("auth/login.html", form=form, first_run=not users.any_users())


def safe_next_path(target: str | None) -> str | None:
    """The ``next`` target if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers treat a backslash like a slash, so "/\evil.example" would leave the site.
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.post("/logout")
@login_only
def logout():
    """Log the current user out."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_only
def change_password():
    """Let a user change their own password, given the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("This is not your current password.")
        else:
            users.set_password(current_user._get_current_object(), form.new_password.data)
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.get("/admin/users")
@role_required("admin")
def user_list():
    """All users with their roles, where an administrator changes them in place."""
    return render_template("auth/users.html", users=users.list_users(), roles=ROLES)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required("admin")
def create_user():
    """Create a user with a first password and roles."""
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = users.create_user(form.username.data, form.new_password.data,
                                     form.roles.data)
        except users.UserError as error:
            form.username.errors.append(str(error))
        else:
            flash(f"User {user.username} created.", "success")
            return redirect(url_for("auth.user_list"))
    return render_template("auth/user_new.html", form=form, roles=ROLES)


@bp.post("/admin/users/<int:user_id>/roles")
@role_required("admin")
def set_roles(user_id):
    """Give a user exactly the roles ticked in their row."""
    user = _user_or_404(user_id)
    form = RolesForm()
    if not form.validate():
        return _row_response(user, error="Unknown role.")
    roles = set(form.roles.data or ())
    if user.id == current_user.id and not {"admin", VIEW_ROLE} <= roles:
        return _row_response(
            user, error="You cannot take the admin or view role from yourself.")
    users.set_roles(user, roles)
    return _row_response(user, message="Roles saved.")


@bp.post("/admin/users/<int:user_id>/disable")
@role_required("admin")
def disable_user(user_id):
    """Disable an account: its user can no longer log in and is logged out."""
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        return _row_response(user, error="You cannot disable your own account.")
    users.set_active(user, False)
    return _row_response(user, message="Account disabled.")


@bp.post("/admin/users/<int:user_id>/enable")
@role_required("admin")
def enable_user(user_id):
    """Enable a disabled account again."""
    user = _user_or_404(user_id)
    users.set_active(user, True)
    return _row_response(user, message="Account enabled.")


@bp.route("/admin/users/<int:user_id>/password", methods=["GET", "POST"])
@role_required("admin")
def reset_password(user_id):
    """Set a new password for another user, who can change it once logged in."""
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        users.set_password(user, form.new_password.data)
        flash(f"Password of {user.username} set.", "success")
        return redirect(url_for("auth.user_list"))
    return render_template("auth/user_password.html", form=form, user=user)


def _user_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, description="There is no such user.")
    return user


def _row_response(user, message=None, error=None):
    """The user's table row for htmx; a plain form post goes back to the list with a flash."""
    if is_htmx_request():
        response = render_template("_partials/user_row.html", user=user, roles=ROLES,
                                   message=message, error=error)
        return response, 200, {"Vary": "HX-Request"}
    flash(f"{user.username}: {error or message}", "danger" if error else "success")
    return redirect(url_for("auth.user_list"))
