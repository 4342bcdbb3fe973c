"""The Tasks page: what waits, runs and ran in the background, and aborting a waiting task."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..audit import record_audit
from ..auth.roles import role_required
from ..extensions import db
from ..htmx import is_htmx_request
from ..models.tasks import QUEUED, STATUSES, BackgroundTask
from ..spool import Spool
from . import records, task_label
from .imports import TASK as IMPORT_TASK
from .queue import get_queue
from .worker import running_worker

bp = Blueprint("tasks", __name__, url_prefix="/admin/tasks")

PAGE_SIZE = 50
FILTERS = ("all",) + STATUSES


@bp.get("/")
@role_required("admin")
def index():
    """Summary, the last day's counts per hour, and the task list filtered by status."""
    context = _list_context(request.args.get("status", "all"),
                            request.args.get("page", 1, type=int))
    if is_htmx_request():
        return _vary(render_template("_partials/task_table.html", **context))
    return _vary(render_template("tasks/index.html", summary=_summary(),
                                 hours=records.hourly_counts(24), **context))


@bp.get("/summary")
@role_required("admin")
def summary():
    """The counts and the worker's status (refreshed by htmx every few seconds)."""
    return _vary(render_template("_partials/task_summary.html", summary=_summary(),
                                 hours=records.hourly_counts(24)))


@bp.post("/<task_id>/abort")
@role_required("admin")
def abort_task(task_id):
    """Abort a task that has not started (after a confirmation)."""
    queue = get_queue()
    waiting = queue.find_pending(task_id)
    row = records.find(task_id)
    if waiting is None and row is None:
        abort(404, description="There is no such task waiting.")
    name = waiting.name if waiting else row.task_type
    subject = (waiting.subject if waiting else row.subject) or task_id
    if request.form.get("confirm") != "yes":
        return render_template(
            "confirm.html", title="Abort task?",
            question=f"Abort the {task_label(name)} of {subject}? "
                     + ("Its file moves to quarantine, where it can be retried."
                        if name == IMPORT_TASK else ""),
            action=url_for(".abort_task", task_id=task_id), button="Abort task", danger=True,
            back=url_for(".index", status=QUEUED))
    message = _abort(queue, task_id, name, waiting, row)
    if is_htmx_request():
        context = _list_context(request.args.get("status", QUEUED),
                                request.args.get("page", 1, type=int), message=message)
        return _vary(render_template("_partials/task_table.html", **context))
    flash(message, "info")
    return redirect(url_for(".index", status=QUEUED))


def _abort(queue, task_id, name, waiting, row) -> str:
    if waiting is None and row.status != QUEUED:
        return "This task has started already; it cannot be aborted."
    queue.revoke(task_id)
    who = current_user.username
    source = waiting.source if waiting else row.source
    subject = waiting.subject if waiting else row.subject
    if not records.abort(task_id, name, source, subject, message=f"aborted by {who}"):
        return "This task has started already; it cannot be aborted."
    if name == IMPORT_TASK and waiting and waiting.args:
        spool = Spool.for_app(current_app)
        try:
            spool.quarantine(spool.incoming / waiting.args[0], "aborted",
                             f"the import was aborted by {who}", source=source)
        except FileNotFoundError:
            pass
    record_audit("abort task", f"{task_label(name)} {subject or task_id}")
    db.session.commit()
    return f"Aborted the {task_label(name)} of {subject or task_id}."


def _list_context(status, page, message=None):
    status = status if status in FILTERS else "all"
    page = max(page, 1)
    if status == QUEUED:
        queue = get_queue()
        total = queue.pending_count()
        waiting = queue.pending(limit=page * PAGE_SIZE)[(page - 1) * PAGE_SIZE:]
        items = [{"uuid": t.id, "task_type": t.name, "label": task_label(t.name),
                  "source": t.source, "subject": t.subject, "status": QUEUED,
                  "created": t.enqueued, "started": None, "finished": None, "message": None,
                  "abortable": True} for t in waiting]
    else:
        query = select(BackgroundTask).order_by(BackgroundTask.id.desc())
        if status != "all":
            query = query.where(BackgroundTask.status == status)
        pagination = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
        total = pagination.total
        items = [{"uuid": t.uuid, "task_type": t.task_type, "label": task_label(t.task_type),
                  "source": t.source, "subject": t.subject, "status": t.status,
                  "created": t.created, "started": t.started, "finished": t.finished,
                  "message": t.message, "abortable": t.status == QUEUED}
                 for t in pagination.items]
    pages = max(1, -(-total // PAGE_SIZE))
    return {"items": items, "status": status, "page": min(page, pages), "pages": pages,
            "total": total, "filters": FILTERS, "message": message}


def _summary():
    queue = get_queue()
    counts = records.status_counts()
    try:
        counts[QUEUED] = queue.pending_count()
    except Exception:  # a Redis server that is down should not take the page with it
        current_app.logger.exception("cannot read the task queue")
        counts[QUEUED] = "?"
    return {"counts": counts, "worker": running_worker(current_app),
            "history_max": current_app.config["TASK_HISTORY_MAX"]}


def _vary(body):
    return body, 200, {"Vary": "HX-Request"}
