"""Home page: what is stored, per modality and device, and how recent it is."""
import datetime

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import role_required
from ..extensions import db
from ..htmx import is_htmx_request
from ..modalities import MODALITIES
from ..alerts.views import open_count
from .summary import home_summary, total_studies, window_start

bp = Blueprint("main", __name__)

#: Bounds of the "studies in the last N days" windows a user may choose.
MIN_DAYS, MAX_DAYS = 1, 3650


def _context(message=None, error=None):
    today = datetime.date.today()
    windows = (current_user.home_days_1, current_user.home_days_2)
    return {
        "summaries": home_summary(MODALITIES, today, windows),
        "total": total_studies(),
        "open_alerts": open_count(),
        "windows": windows,
        "window_starts": tuple(window_start(today, days) for days in windows),
        "today": today,
        "message": message,
        "error": error,
    }


@bp.get("/")
@role_required()
def home():
    """The page a user lands on after logging in."""
    return render_template("main/home.html", **_context())


@bp.post("/home-days")
@role_required()
def set_home_days():
    """Save the user's two "studies in the last N days" windows."""
    values = []
    for name in ("days_1", "days_2"):
        try:
            value = int(request.form.get(name, ""))
        except ValueError:
            value = None
        values.append(value)
    error = None
    if any(value is None or not MIN_DAYS <= value <= MAX_DAYS for value in values):
        error = f"Give two whole numbers of days from {MIN_DAYS} to {MAX_DAYS}."
    else:
        current_user.home_days_1, current_user.home_days_2 = values
        db.session.commit()
    if is_htmx_request():
        response = make_response(render_template(
            "main/_summary.html", **_context(message=None if error else "Saved.", error=error)))
        response.vary.add("HX-Request")
        return response
    flash(error or "Saved.", "danger" if error else "success")
    return redirect(url_for("main.home"))
