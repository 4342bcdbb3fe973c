"""Administration pages that belong to no other part: the audit log.

The log is read-only from the web: entries are listed and exported, never edited or deleted.
"""
import csv
import datetime
import io

from flask import Blueprint, Response, render_template, request, stream_with_context
from sqlalchemy import func, select

from .audit import EXPORT, record_access
from .auth.roles import role_required
from .exports.columns import neutralise
from .extensions import db
from .models.auth import AuditLog

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Audit entries per page.
PER_PAGE = 50
CSV_BATCH = 1000


def _date(name):
    try:
        return datetime.date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


def _filters():
    """The entries the query arguments select (user, action, dates), and the values used."""
    chosen = {"user": request.args.get("user", "").strip(),
              "action": request.args.get("action", "").strip(),
              "date_from": _date("date_from"), "date_to": _date("date_to")}
    query = select(AuditLog)
    if chosen["user"]:
        query = query.where(AuditLog.username == chosen["user"])
    if chosen["action"]:
        query = query.where(AuditLog.action == chosen["action"])
    if chosen["date_from"]:
        query = query.where(AuditLog.created >= datetime.datetime.combine(
            chosen["date_from"], datetime.time()))
    if chosen["date_to"]:
        query = query.where(AuditLog.created < datetime.datetime.combine(
            chosen["date_to"] + datetime.timedelta(days=1), datetime.time()))
    return query, chosen


def _described(chosen) -> str:
    parts = [f"{key}={value}" for key, value in chosen.items() if value]
    return "; ".join(str(part) for part in parts) or "none"


@bp.get("/audit-log")
@role_required("admin")
def audit_log():
    """The audit log, newest first, narrowed by user, action and dates (UTC)."""
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    query, chosen = _filters()
    total = db.session.scalar(query.with_only_columns(func.count(AuditLog.id)))
    last = max(1, -(-total // PER_PAGE))
    page = min(page, last)
    entries = db.session.scalars(
        query.order_by(AuditLog.created.desc(), AuditLog.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    actions = db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)).all()
    users = db.session.scalars(select(AuditLog.username).distinct()
                               .where(AuditLog.username.is_not(None))
                               .order_by(AuditLog.username)).all()
    arguments = {key: (value.isoformat() if isinstance(value, datetime.date) else value)
                 for key, value in chosen.items() if value}
    return render_template("admin/audit_log.html", entries=entries, page=page, last=last,
                           total=total, actions=actions, users=users, chosen=chosen,
                           arguments=arguments, action=chosen["action"])


@bp.get("/audit-log.csv")
@role_required("admin")
def audit_log_csv():
    """The entries the filters select as csv, oldest first (the export is itself audited)."""
    query, chosen = _filters()
    total = db.session.scalar(query.with_only_columns(func.count(AuditLog.id)))
    record_access(EXPORT, "audit log csv", f"filters: {_described(chosen)}; rows: {total}")
    ordered = query.order_by(AuditLog.created, AuditLog.id).execution_options(
        yield_per=CSV_BATCH)

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(["Time (UTC)", "User", "Action", "Target", "Details"])
        for entry in db.session.scalars(ordered):
            writer.writerow([entry.created.strftime("%Y-%m-%d %H:%M:%S"),
                             neutralise(entry.username or ""), entry.action,
                             neutralise(entry.target), neutralise(entry.details or "")])
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    name = f"audit-log-{datetime.date.today().isoformat()}.csv"
    return Response(stream_with_context(rows()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def register(app):
    """Register the administration blueprint."""
    app.register_blueprint(bp)
