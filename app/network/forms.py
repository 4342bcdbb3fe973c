"""The forms of the DICOM settings page and of the query-retrieve pages."""
import ipaddress

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.fields import SelectChoice
from wtforms.validators import (DataRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)

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


class RemoteNodeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=64)],
                       description="How Kerma's pages and commands name the node.")
    ae_title = StringField("AE title", validators=[DataRequired(), _ae_title],
                           description="The node's own AE title (the called AE title).")
    host = StringField("Host", validators=[DataRequired(), _hosts, Length(max=255)])
    port = IntegerField("Port", validators=[DataRequired(), NumberRange(min=1, max=65535)])
    retrieve_method = SelectField(
        "Retrieve with", choices=[SelectChoice("move", "C-MOVE to Kerma's listener"),
                                  SelectChoice("get", "C-GET on the query's association")],
        description="C-MOVE needs Kerma's listener AE title, address and port configured on "
                    "the node; C-GET needs nothing more, if the node supports it.")


def _patterns(label, description=None):
    return StringField(label, validators=[Optional(), Length(max=2000)],
                       description=description)


class QueryFiltersForm(FlaskForm):
    modalities = SelectMultipleField(
        "Modalities", choices=["CT", "MG", "DX", "CR", "PX", "RF", "XA", "NM", "PT"],
        description="None selected: every modality.")
    description_include = _patterns(
        "Study description includes", "Comma separated; * and ? are wildcards, case is ignored.")
    description_exclude = _patterns("Study description excludes")
    station_include = _patterns("Station name includes")
    station_exclude = _patterns("Station name excludes")


class QueryForm(QueryFiltersForm):
    node = SelectField("Node", coerce=int)
    date_from = DateField("From study date", validators=[DataRequired()])
    date_to = DateField("To study date", validators=[DataRequired()])

    def validate_date_to(self, field):
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError("The end of the range is before its start.")


class ScheduleForm(QueryFiltersForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=64)])
    node = SelectField("Node", coerce=int)
    run_at = StringField("Run every day at", default="01:00",
                         validators=[DataRequired(), Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                                            message="HH:MM, 24-hour clock.")],
                         description="Server time. Each run retrieves the days since the last "
                                     "one that completed, up to yesterday.")
