"""The form of the DICOM settings page."""
import ipaddress

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, ValidationError

from .settings import check_ae_title, check_host, split_lines


def _ae_title(form, field):
    problem = check_ae_title(field.data or "")
    if problem:
        raise ValidationError(problem)


def _ae_titles(form, field):
    for title in split_lines(field.data):
        problem = check_ae_title(title)
        if problem:
            raise ValidationError(f"{title}: {problem}")


def _hosts(form, field):
    for entry in split_lines(field.data):
        problem = check_host(entry)
        if problem:
            raise ValidationError(problem)


def _bind(form, field):
    value = (field.data or "").strip()
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if check_host(value):
            raise ValidationError("Give an IP address of this server (0.0.0.0 for all) "
                                  "or its host name.") from None


class DicomSettingsForm(FlaskForm):
    ae_title = StringField("AE title", validators=[DataRequired(), _ae_title],
                           description="The title senders address (called AE title), up to 16 characters.")
    port = IntegerField("Port", validators=[DataRequired(), NumberRange(min=1, max=65535)],
                        description="Ports below 1024 need privileges; 104 and 11112 are the usual ones.")
    bind_address = StringField("Listen on address", validators=[DataRequired(), _bind],
                               description="127.0.0.1 accepts local senders only; 0.0.0.0 every interface.")
    allowed_ae_titles = TextAreaField(
        "Allowed calling AE titles", validators=[_ae_titles], render_kw={"rows": 4},
        description="One per line. Empty: any sender's AE title.")
    allowed_hosts = TextAreaField(
        "Allowed hosts", validators=[_hosts], render_kw={"rows": 4},
        description="IP addresses, networks (10.1.0.0/16) or host names, one per line. Empty: any host.")
    keep_rdsr = BooleanField("Radiation dose structured reports")
    keep_mg = BooleanField("Mammography images")
    keep_dx = BooleanField("Radiography (CR and DX) images")
    keep_ct_philips = BooleanField("Philips CT dose pages")
    keep_nm = BooleanField("NM and PET images")
