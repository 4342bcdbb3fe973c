"""Administration pages that belong to no other part: the audit log."""
from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from .auth.roles import role_required
from .extensions import db
from .models.auth import AuditLog

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Audit entries per page.
PER_PAGE = 50


@bp.get("/audit-log")
@role_required("admin")
def audit_log():
    """The audit log, newest first, optionally narrowed to one action."""
    action = request.args.get("action", "").strip()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    query = select(AuditLog)
    if action:
        query = query.where(AuditLog.action == action)
    total = db.session.scalar(query.with_only_columns(func.count(AuditLog.id)))
    last = max(1, -(-total // PER_PAGE))
    page = min(page, last)
    entries = db.session.scalars(
        query.order_by(AuditLog.created.desc(), AuditLog.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    actions = db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)).all()
    return render_template("admin/audit_log.html", entries=entries, page=page, last=last,
                           total=total, action=action, actions=actions)


def register(app):
    """Register the administration blueprint."""
    app.register_blueprint(bp)
