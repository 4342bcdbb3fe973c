"""The Equipment page (admins): every device identity, its display name, user-defined
modality and review state, changed for many identities at once."""
from flask import flash, redirect, render_template, request, url_for

from ..auth.roles import role_required
from ..extensions import db
from ..modalities import MODALITIES
from . import bp
from .identities import (SHOWN_FIELDS, USER_MODALITIES, EquipmentError, display_names,
                         identity_rows, mark_reviewed, new_count, set_display_name,
                         set_user_modality)


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
                           new_total=new_count(), modalities=MODALITIES)


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
        moved = set_user_modality(ticked, request.form.get("modality", ""))
    except EquipmentError as exc:
        db.session.rollback()
        flash(f"Nothing changed: {exc}.", "warning")
        return _back()
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
