"""The user's own API tokens page: make a token (shown once), revoke one."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..audit import record_audit
from ..auth.roles import login_only
from ..extensions import db
from . import tokens_bp
from .tokens import MAX_NAME_LENGTH, create_token, revoke_token, tokens_of


@tokens_bp.get("/account/tokens")
@login_only
def tokens():
    """The user's tokens, and a form to make another."""
    return render_template("api/tokens.html", tokens=tokens_of(current_user), new_token=None,
                           max_name_length=MAX_NAME_LENGTH)


@tokens_bp.post("/account/tokens")
@login_only
def create():
    """Make a token and show it, this once: only its digest is kept."""
    user = current_user._get_current_object()
    row, token = create_token(user, request.form.get("name", ""))
    record_audit("api_token.create", f"user {user.username}", f"token {row.prefix}… {row.name}")
    db.session.commit()
    # Rendered, not redirected: a flashed message would carry the token in the session cookie.
    response = render_template("api/tokens.html", tokens=tokens_of(user), new_token=token,
                               new_row=row, max_name_length=MAX_NAME_LENGTH)
    return response, 201, {"Cache-Control": "no-store"}


@tokens_bp.post("/account/tokens/<int:token_id>/revoke")
@login_only
def revoke(token_id):
    """Revoke one of the user's tokens: programs using it are refused from now on."""
    user = current_user._get_current_object()
    row = revoke_token(user, token_id)
    if row is None:
        flash("You have no such token.", "warning")
    else:
        record_audit("api_token.revoke", f"user {user.username}",
                     f"token {row.prefix}… {row.name}")
        db.session.commit()
        flash(f"Token {row.name} ({row.prefix}…) revoked.", "success")
    return redirect(url_for("api_tokens.tokens"))
