"""The localizer calibration page (admins): per CT device identity, the calibration that turns
its localizers' pixel values into water-equivalent thickness for SSDE (docs/ssde.md), set
from values or from a water phantom localizer, or removed."""
from flask import flash, redirect, render_template, request, url_for

from ..auth.roles import role_required
from ..extensions import db
from ..models.study import UniqueEquipmentNames
from ..ssde.calibration import (CalibrationError, calibrate_device, device_calibration,
                                device_calibrations, formula, remove_calibration)
from . import bp
from .forms import CalibrationValuesForm, PhantomForm


def _studies(count: int) -> str:
    return f"{count} stud{'y' if count == 1 else 'ies'}"


def _saved(calibration, studies: int) -> None:
    flash(f"Localizer calibration of device identity {calibration.unique_equipment_name_id} "
          f"saved: {formula(calibration)}; "
          f"SSDE recomputed for {_studies(studies)}.", "success")


def _device_page(identity, values_form=None, phantom_form=None, status=200):
    return render_template(
        "equipment/localizer_device.html", row=device_calibration(identity),
        values_form=values_form or CalibrationValuesForm(formdata=None),
        phantom_form=phantom_form or PhantomForm(formdata=None), formula=formula), status


def _apply(identity, form, field, form_name, calibrate):
    """Validate ``form``, then ``calibrate()``: saved, back to the list; a form or
    calibration error is shown under ``field`` on the device's page, and nothing is kept."""
    if form.validate_on_submit():
        try:
            calibration, studies = calibrate()
        except CalibrationError as exc:
            db.session.rollback()
            field.errors = [*field.errors, str(exc)]
        else:
            _saved(calibration, studies)
            return redirect(url_for(".localizer_calibrations"))
    return _device_page(identity, status=400, **{form_name: form})


@bp.get("/localizer-calibration")
@role_required("admin")
def localizer_calibrations():
    """Every identity that sent CT localizers or has a calibration, with its calibration."""
    return render_template("equipment/localizer_calibration.html", rows=device_calibrations())


@bp.get("/localizer-calibration/<int:identity_id>")
@role_required("admin")
def localizer_device(identity_id):
    """One identity's calibration and the forms that set or remove it."""
    identity = db.get_or_404(UniqueEquipmentNames, identity_id)
    calibration = device_calibration(identity).calibration
    values_form = CalibrationValuesForm(formdata=None)
    if calibration is not None and calibration.unique_equipment_name_id == identity.id:
        values_form.slope.data, values_form.intercept.data = (calibration.slope,
                                                              calibration.intercept)
    return _device_page(identity, values_form=values_form)


@bp.post("/localizer-calibration/<int:identity_id>")
@role_required("admin")
def set_localizer_calibration(identity_id):
    """Set the slope and intercept as given."""
    identity = db.get_or_404(UniqueEquipmentNames, identity_id)
    form = CalibrationValuesForm()
    return _apply(identity, form, form.slope, "values_form",
                  lambda: calibrate_device(identity.id, form.slope.data, form.intercept.data))


@bp.post("/localizer-calibration/<int:identity_id>/phantom")
@role_required("admin")
def phantom_calibration(identity_id):
    """Derive slope and intercept from an uploaded water phantom localizer; a file that
    cannot give one is named with the reason, and nothing is stored."""
    identity = db.get_or_404(UniqueEquipmentNames, identity_id)
    form = PhantomForm()
    upload = form.phantom.data
    return _apply(identity, form, form.phantom, "phantom_form", lambda: calibrate_device(
        identity.id, phantom=upload.stream, phantom_diameter=form.phantom_diameter.data,
        phantom_file_name=upload.filename or "the uploaded file"))


@bp.post("/localizer-calibration/<int:identity_id>/remove")
@role_required("admin")
def remove_localizer_calibration(identity_id):
    """Remove the identity's own calibration (after a confirmation)."""
    identity = db.get_or_404(UniqueEquipmentNames, identity_id)
    if request.form.get("confirm") != "yes":
        return render_template(
            "confirm.html", title=f"Remove the calibration of device identity {identity.id}?",
            question="Its localizers give no SSDE until a calibration is set again (unless an "
                     "identity with the same equipment fields has one); the SSDE of their "
                     "studies is recomputed now.",
            action=url_for(".remove_localizer_calibration", identity_id=identity.id),
            button="Remove calibration", danger=True,
            back=url_for(".localizer_device", identity_id=identity.id))
    try:
        studies = remove_calibration(identity.id)
    except CalibrationError as exc:
        db.session.rollback()
        flash(f"Nothing changed: {exc}.", "warning")
        return redirect(url_for(".localizer_device", identity_id=identity.id))
    flash(f"Localizer calibration of device identity {identity.id} removed; SSDE recomputed "
          f"for {_studies(studies)}.", "success")
    return redirect(url_for(".localizer_calibrations"))
