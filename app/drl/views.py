"""DRL pages: the comparison (any user), sets and standard names (admins)."""
import csv
import datetime
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..audit import EXPORT, record_access, record_audit
from ..auth.roles import role_required
from ..exports.columns import neutralise
from ..extensions import db
from ..models.drl import NAME_FIELDS, DrlSet, DrlValue
from . import bp
from .comparison import compare
from .naming import assign, names_seen
from .quantities import QUANTITIES
from .sets import DRL_MODALITIES, NATIONAL, DrlFileError, load_national, load_set


def _date(name):
    try:
        return datetime.date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


#: The comparison's period when the page is opened without one: the last twelve months, the
#: period of a local dose audit (older studies reflect protocols since changed).
DEFAULT_PERIOD_DAYS = 365


def _period():
    """(from, to) dates of the request; without either argument, the last twelve months up
    to today; an empty argument means no limit on that side."""
    if "date_from" not in request.args and "date_to" not in request.args:
        return datetime.date.today() - datetime.timedelta(days=DEFAULT_PERIOD_DAYS), None
    return _date("date_from"), _date("date_to")


def _chosen_set():
    sets = db.session.scalars(select(DrlSet).order_by(DrlSet.name)).all()
    wanted = request.args.get("set", type=int)
    chosen = next((s for s in sets if s.id == wanted), sets[0] if sets else None)
    return sets, chosen


@bp.get("/")
@role_required()
def comparison():
    """Per system and DRL entry: the median of the matched studies in the period."""
    sets, chosen = _chosen_set()
    date_from, date_to = _period()
    rows = compare(chosen, date_from, date_to) if chosen else []
    return render_template("drl/comparison.html", sets=sets, chosen=chosen, rows=rows,
                           date_from=date_from, date_to=date_to, quantities=QUANTITIES)


@bp.get("/comparison.csv")
@role_required("export")
def comparison_csv():
    sets, chosen = _chosen_set()
    if chosen is None:
        abort(404)
    rows = compare(chosen, *_period())
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["DRL set", "Modality", "Examination", "Quantity", "Patient group", "System",
                     "Studies", "Median", "DRL", "Unit", "Median / DRL", "Above DRL"])
    for row in rows:
        writer.writerow([neutralise(chosen.name), row.drl.modality, neutralise(row.drl.examination),
                         row.drl.quantity, neutralise(row.drl.patient_group),
                         neutralise(row.system), row.count,
                         _number(row.median_in_drl_unit), _number(row.drl.value),
                         row.drl.unit, _number(row.ratio), "yes" if row.above else "no"])
    name = f"drl-comparison-{datetime.date.today().isoformat()}.csv"
    record_access(EXPORT, f"DRL comparison {chosen.name} csv",
                  f"filters: set={chosen.name}; date_from={request.args.get('date_from', '')}; "
                  f"date_to={request.args.get('date_to', '')}; rows: {len(rows)}")
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _number(value):
    return "" if value is None else f"{value:.6g}"


@bp.get("/sets")
@role_required("admin")
def sets():
    _, chosen = _chosen_set()
    all_sets = db.session.scalars(select(DrlSet).order_by(DrlSet.name)).all()
    return render_template("drl/sets.html", sets=all_sets, chosen=chosen, national=NATIONAL,
                           quantities=QUANTITIES, modalities=DRL_MODALITIES)


@bp.post("/sets")
@role_required("admin")
def upload_set():
    upload = request.files.get("file")
    name = request.form.get("name", "").strip()[:256]
    if upload is None or not upload.filename or not name:
        flash("Choose a CSV file and give the set a name.", "warning")
        return redirect(url_for("drl.sets"))
    try:
        text = upload.read().decode("utf-8-sig")
        drl_set = load_set(text, name, request.form.get("source", "").strip() or None,
                           replace=bool(request.form.get("replace")))
    except UnicodeDecodeError:
        flash("The file is not UTF-8 text.", "danger")
        return redirect(url_for("drl.sets"))
    except DrlFileError as exc:
        db.session.rollback()
        return render_template("drl/sets.html", sets=db.session.scalars(
            select(DrlSet).order_by(DrlSet.name)).all(), chosen=None, national=NATIONAL,
            quantities=QUANTITIES, modalities=DRL_MODALITIES, problems=exc.problems), 400
    flash(f"Loaded {len(drl_set.values)} DRLs as {drl_set.name}.", "success")
    return redirect(url_for("drl.sets", set=drl_set.id))


@bp.post("/sets/national")
@role_required("admin")
def load_national_set():
    name = request.form.get("name", "")
    if name not in NATIONAL:
        abort(404)
    try:
        drl_set = load_national(name, replace=bool(request.form.get("replace")))
    except DrlFileError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("drl.sets"))
    flash(f"Loaded {len(drl_set.values)} DRLs as {drl_set.name}.", "success")
    return redirect(url_for("drl.sets", set=drl_set.id))


@bp.post("/sets/<int:set_id>/delete")
@role_required("admin")
def delete_set(set_id):
    drl_set = db.session.get(DrlSet, set_id) or abort(404)
    record_audit("drl.delete", f"DRL set {drl_set.name}", f"{len(drl_set.values)} values")
    db.session.delete(drl_set)
    db.session.commit()
    flash(f"Deleted the DRL set {drl_set.name}.", "success")
    return redirect(url_for("drl.sets"))


@bp.post("/values/<int:value_id>")
@role_required("admin")
def edit_value(value_id):
    value = db.session.get(DrlValue, value_id) or abort(404)
    try:
        number = float(request.form.get("value", "").replace(",", "."))
    except ValueError:
        number = None
    if number is None or not number > 0:
        flash("A DRL is a positive number.", "warning")
    elif number != value.value:
        record_audit("drl.edit", f"DRL set {value.drl_set.name}",
                     f"{value.modality} {value.examination} {value.quantity} "
                     f"{value.patient_group}: {value.value:g} -> {number:g} {value.unit}")
        value.value = number
        db.session.commit()
        flash(f"{value.examination}: {value.quantity} is now {number:g} {value.unit}.", "success")
    return redirect(url_for("drl.sets", set=value.drl_set_id))


@bp.get("/names")
@role_required("admin")
def names():
    modality = request.args.get("modality", "CT").upper()
    if modality not in DRL_MODALITIES:
        abort(404)
    examinations = sorted(set(db.session.scalars(
        select(DrlValue.examination).where(DrlValue.modality == modality))))
    return render_template("drl/names.html", modality=modality, modalities=DRL_MODALITIES,
                           names=names_seen(modality), examinations=examinations)


@bp.post("/names")
@role_required("admin")
def assign_names():
    modality = request.form.get("modality", "").upper()
    if modality not in DRL_MODALITIES:
        abort(404)
    chosen = []
    for value in request.form.getlist("name"):
        field, _, name = value.partition(":")
        if field in NAME_FIELDS and name:
            chosen.append((field, name))
    clear = bool(request.form.get("clear"))
    if not chosen:
        flash("Tick the names to map.", "warning")
    elif not clear and not request.form.get("standard_name", "").strip():
        flash("Give the standard name to map the ticked names to.", "warning")
    else:
        changed = assign(modality, chosen, None if clear else request.form.get("standard_name"))
        flash(f"{changed} name{'s' if changed != 1 else ''} changed.", "success")
    return redirect(url_for("drl.names", modality=modality))
