"""The forms of the localizer calibration page: values given, or a water phantom localizer."""
import math

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FloatField
from wtforms.validators import InputRequired, ValidationError


def _finite(form, field):
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError("Give a finite number.")


def _positive(form, field):
    if field.data is not None and not field.data > 0:
        raise ValidationError("Must be above 0.")


class CalibrationValuesForm(FlaskForm):
    slope = FloatField("Slope (mm per pixel value)",
                       validators=[InputRequired(), _finite, _positive],
                       description="Water-equivalent thickness per localizer pixel value.")
    intercept = FloatField("Intercept (mm)", default=0.0, validators=[InputRequired(), _finite],
                           description="Water-equivalent thickness at pixel value 0.")


class PhantomForm(FlaskForm):
    phantom = FileField("Water phantom localizer (DICOM file)",
                        validators=[FileRequired("Choose the phantom's localizer file.")])
    phantom_diameter = FloatField("Phantom diameter (mm)",
                                  validators=[InputRequired(), _finite, _positive],
                                  description="The water cylinder's outer diameter.")
