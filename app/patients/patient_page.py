"""The patient page: every study of one patient across modalities, on a timeline, with the
doses summed over a chosen period, and its csv.

A patient is reached through one of their studies (``/patients/<study id>``), so no patient
ID appears in an address. Users without the ``pid`` role see it only where IDs are stored
hashed.
"""
import csv
import datetime
import io

from flask import Response, abort, render_template, request
from flask_login import current_user

from ..audit import VIEW_PATIENT, record_access
from ..auth.roles import role_required
from ..exports.columns import neutralise
from ..extensions import db
from . import bp
from .history import QUANTITIES, patient_of, studies_of, timeline
from .identity import may_see_patient, shown_patient_id


#: The periods offered beside dates typed in: weeks back from the patient's latest study.
PERIOD_WEEKS = (4, 8, 12, 26, 52)


def _date(name):
    try:
        return datetime.date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


def _patient_or_abort(study_id):
    patient = patient_of(db.session, study_id)
    if patient is None:
        abort(404, description="This study has no stored patient ID: Kerma cannot tell which "
                               "other studies are the same patient's.")
    if not may_see_patient(patient.hashed, current_user.has_role("pid")):
        abort(403, description="Patient IDs are stored as sent: the patient page needs the "
                               "pid role.")
    return patient


def _period(patient):
    """The period asked for: ``weeks`` back from the latest study, or dates typed in."""
    weeks = request.args.get("weeks", type=int)
    if weeks in PERIOD_WEEKS:
        latest = max((s.date for s in studies_of(db.session, patient) if s.date), default=None)
        if latest is not None:
            return latest - datetime.timedelta(weeks=weeks) + datetime.timedelta(days=1), \
                latest, weeks
    return _date("date_from"), _date("date_to"), None


@bp.get("/patients/<int:study_id>")
@role_required()
def patient(study_id):
    """The patient of a study: their studies, a timeline, and the sums over the period."""
    found = _patient_or_abort(study_id)
    date_from, date_to, weeks = _period(found)
    studies = studies_of(db.session, found, date_from, date_to)
    body = render_template(
        "patients/patient.html", study_id=study_id, studies=studies,
        points=timeline(studies), quantities=QUANTITIES, date_from=date_from, date_to=date_to,
        weeks=weeks, period_weeks=PERIOD_WEEKS,
        patient_id=shown_patient_id(found.patient_id, found.hashed,
                                    current_user.has_role("pid")),
        totals=studies[-1].cumulative if studies else {})
    record_access(VIEW_PATIENT, f"patient of study {study_id}",
                  f"period: {date_from or 'start'} to {date_to or 'end'}; studies: {len(studies)}")
    return body


@bp.get("/patients/<int:study_id>.csv")
@role_required()
def patient_csv(study_id):
    """The patient's studies in the period with their doses and running sums, as csv."""
    found = _patient_or_abort(study_id)
    date_from, date_to, _ = _period(found)
    studies = studies_of(db.session, found, date_from, date_to)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["Study id", "Study date", "Study time", "Modality", "Study description",
                     *(f"{label} ({unit})" for _, label, unit, _ in QUANTITIES),
                     *(f"Cumulative {label} ({unit})" for _, label, unit, _ in QUANTITIES)])
    for s in studies:
        writer.writerow([s.id, s.date.isoformat() if s.date else "",
                         s.time.strftime("%H:%M:%S") if s.time else "", s.modality_type or "",
                         _text(s.description),
                         *(_number(s.doses[key]) for key, *_ in QUANTITIES),
                         *(_number(s.cumulative[key]) for key, *_ in QUANTITIES)])
    record_access(VIEW_PATIENT, f"patient of study {study_id} csv",
                  f"period: {date_from or 'start'} to {date_to or 'end'}; studies: {len(studies)}")
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="patient-of-study-{study_id}.csv"'})


def _number(value):
    return "" if value is None else f"{value:.6g}"


def _text(value):
    return neutralise(value or "")
