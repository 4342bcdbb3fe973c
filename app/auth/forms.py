"""Forms of the login, account and user administration pages."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .roles import ROLES
from .users import MIN_PASSWORD_LENGTH

# The templates render the checkboxes with descriptions; the field only validates the names.
ROLE_CHOICES = list(ROLES)


def _new_password_fields():
    return (
        PasswordField("New password", validators=[
            DataRequired(), Length(min=MIN_PASSWORD_LENGTH,
                                   message=f"At least {MIN_PASSWORD_LENGTH} characters.")],
            render_kw={"autocomplete": "new-password"}),
        PasswordField("Repeat new password", validators=[
            DataRequired(), EqualTo("new_password", message="The passwords differ.")],
            render_kw={"autocomplete": "new-password"}),
    )


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password, confirm_password = _new_password_fields()


class ResetPasswordForm(FlaskForm):
    new_password, confirm_password = _new_password_fields()


class CreateUserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=150)])
    new_password, confirm_password = _new_password_fields()
    roles = SelectMultipleField("Roles", choices=ROLE_CHOICES, default=["view"])


class RolesForm(FlaskForm):
    roles = SelectMultipleField("Roles", choices=ROLE_CHOICES)
