"""The Equipment page (admins): every device identity, its display name, user-defined
modality and review state, changed for many identities at once."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.roles import role_required
from ..extensions import db
from ..modalities import MODALITIES
from ..models.tasks import BackgroundTask
from ..tasks.queue import get_queue
from ..tasks.worker import running_worker
from . import bp
from .identities import (SHOWN_FIELDS, USER_MODALITIES, EquipmentError, apply_user_modality,
                         display_names, identity_rows, mark_reviewed, new_count,
                         save_user_modality, set_display_name)
from .tasks import TASK as MODALITY_TASK


def _ticked() -> list[int]:
    return [int(value) for value in request.form.getlist("identity") if value.isdigit()]


def _back():
    return redirect(url_for("equipment.index", new=request.form.get("new") or None,
                            q=request.form.get("q") or None))


@bp.get("/")
@role_required("admin")
def index():
    """Every identity seen, with studies per modality type and the latest study date."""
    new_only = bool(request.args.get("new"))
    search = request.args.get("q", "").strip()
    rows = identity_rows(new_only=new_only, search=search)
    seen_types = sorted({t for row in rows for t in row.studies})
    return render_template("equipment/index.html", rows=rows, new_only=new_only, search=search,
                           fields=SHOWN_FIELDS, modality_types=seen_types,
                           user_modalities=USER_MODALITIES, names=display_names(),
                           new_total=new_count(), modalities=MODALITIES,
                           task=_latest_modality_task())


def _latest_modality_task():
    return db.session.scalars(
        select(BackgroundTask).where(BackgroundTask.task_type == MODALITY_TASK)
        .order_by(BackgroundTask.created.desc(), BackgroundTask.id.desc()).limit(1)).first()


@bp.get("/modality/progress")
@role_required("admin")
def modality_progress():
    """The last queued modality application (an htmx fragment, polled while it runs)."""
    return render_template("equipment/_modality_task.html", task=_latest_modality_task())


@bp.post("/display-name")
@role_required("admin")
def rename():
    """Give the ticked identities one display name: they become one system."""
    ticked = _ticked()
    if not ticked:
        flash("Tick the devices to name.", "warning")
        return _back()
    try:
        changed = set_display_name(ticked, request.form.get("display_name", ""))
    except EquipmentError as exc:
        db.session.rollback()
        flash(f"Nothing changed: {exc}.", "warning")
        return _back()
    flash(f"{changed} device identit{'y' if changed == 1 else 'ies'} renamed.", "success")
    return _back()


@bp.post("/modality")
@role_required("admin")
def modality():
    """Force a modality type on the ticked identities' studies, or clear it."""
    ticked = _ticked()
    if not ticked:
        flash("Tick the devices to change.", "warning")
        return _back()
    try:
        identity_ids, chosen = save_user_modality(ticked, request.form.get("modality", ""))
    except EquipmentError as exc:
        db.session.rollback()
        flash(f"Nothing changed: {exc}.", "warning")
        return _back()
    if running_worker(current_app):
        username = current_user.username
        get_queue().enqueue(MODALITY_TASK, identity_ids, chosen,
                            source=f"web request by {username}"[:256],
                            subject=f"{chosen or 'as sent'} on {len(identity_ids)} device(s)")
        flash("User-defined modality saved; it applies to new studies now. The stored studies "
              "are being moved; the progress shows below.", "info")
        return _back()
    moved = apply_user_modality(identity_ids, chosen)
    flash(f"User-defined modality saved; {moved} stored stud{'y' if moved == 1 else 'ies'} "
          "changed modality.", "success")
    return _back()


@bp.post("/review")
@role_required("admin")
def review():
    """Mark the ticked identities reviewed (or, with ``undo``, new again)."""
    ticked = _ticked()
    if not ticked:
        flash("Tick the devices to mark.", "warning")
        return _back()
    undo = bool(request.form.get("undo"))
    changed = mark_reviewed(ticked, reviewed=not undo)
    flash(f"{changed} device identit{'y' if changed == 1 else 'ies'} marked "
          f"{'new' if undo else 'reviewed'}.", "success")
    return _back()
