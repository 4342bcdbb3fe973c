"""Admin pages: patient identifier settings (with what a change means for stored studies,
shown before it is saved) and the not-patient patterns (with their re-evaluation)."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.roles import role_required
from ..extensions import db
from ..models.tasks import BackgroundTask
from ..tasks.queue import get_queue
from ..tasks.worker import running_worker
from . import bp
from .identifiers import ACTIONS, FLAGS, LABELS, consequences, current, save, stored_counts
from .indicators import patterns, record_reevaluation, reevaluate, restore_defaults, save_patterns
from .tasks import TASK


@bp.get("/admin/patient-identifiers")
@role_required("admin")
def identifiers():
    """The identifier settings in force and what is stored now."""
    return render_template("patients/identifiers.html", settings=current(), labels=LABELS,
                           flags=FLAGS, counts=stored_counts(), preview=None)


@bp.post("/admin/patient-identifiers")
@role_required("admin")
def save_identifiers():
    """First answer with what the change does to stored studies; save once confirmed."""
    new = {flag: bool(request.form.get(flag)) for flag in FLAGS}
    old = current()
    if new == old:
        flash("Nothing changed.", "info")
        return redirect(url_for("patients.identifiers"))
    if request.form.get("confirm") != "1":
        return render_template("patients/identifiers.html", settings=new, labels=LABELS,
                               flags=FLAGS, counts=stored_counts(),
                               preview=consequences(new, old), actions=ACTIONS, old=old)
    lines = save(new, actions=request.form.getlist("action"))
    flash("Patient identifier settings saved: " + "; ".join(lines) + ".", "success")
    return redirect(url_for("patients.identifiers"))


def _latest_task():
    return db.session.scalars(select(BackgroundTask).where(BackgroundTask.task_type == TASK)
                              .order_by(BackgroundTask.created.desc(), BackgroundTask.id.desc())
                              .limit(1)).first()


@bp.get("/admin/test-patients")
@role_required("admin")
def indicators():
    """The not-patient patterns and the last re-evaluation of stored studies."""
    id_patterns, name_patterns = patterns()
    return render_template("patients/indicators.html", id_patterns=id_patterns,
                           name_patterns=name_patterns, task=_latest_task())


@bp.get("/admin/test-patients/progress")
@role_required("admin")
def reevaluation_progress():
    """The last re-evaluation's state (an htmx fragment, polled while it runs)."""
    return render_template("patients/_reevaluation.html", task=_latest_task())


@bp.post("/admin/test-patients")
@role_required("admin")
def save_indicators():
    """Save the patterns; when they changed, re-evaluate the stored studies."""
    if request.form.get("defaults"):
        changed = restore_defaults()
    else:
        changed = save_patterns(request.form.get("id_patterns", "").splitlines(),
                                request.form.get("name_patterns", "").splitlines())
    if not changed:
        flash("The patterns are unchanged.", "info")
        return redirect(url_for("patients.indicators"))
    flash("Patterns saved. They apply to every object imported from now on.", "success")
    return _start_reevaluation()


@bp.post("/admin/test-patients/reevaluate")
@role_required("admin")
def reevaluate_indicators():
    """Match the patterns in force against the stored studies again."""
    return _start_reevaluation()


def _start_reevaluation():
    username = current_user.username
    if running_worker(current_app):
        get_queue().enqueue(TASK, username, source=f"web request by {username}"[:256],
                            subject="stored studies")
        flash("Re-evaluation of the stored studies queued; its progress shows below.", "info")
    else:
        result = reevaluate()
        record_reevaluation(result)
        flash(f"Re-evaluated: {result.summary()}.", "success")
    return redirect(url_for("patients.indicators"))
