from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from lahti_pool.accounts.models import Role
from lahti_pool.core.models import MAX_ROW_ID

ROLE_LABELS = {
    Role.STAFF: _l("Staff member"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ADMIN: _l("Pool administrator"),
    Role.REPORTS: _l("Development services (reports)"),
    Role.MANAGER: _l("Unit manager"),
    Role.GUEST: _l("Guest organisation official"),
}


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        description=_l("The address you log in with."),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class NewPasswordForm(FlaskForm):
    """A new password, asked twice (the templates place each field)."""

    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters. A few unusual words make a good password."),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class SetPasswordForm(NewPasswordForm):
    """A new password from a one-time link: no current password."""

    #: whose link the form was shown for: another link opened in the same browser since
    #: replaces the session's, and must not receive this password
    account = HiddenField()


class LanguageForm(FlaskForm):
    lang = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("fi", "suomi"),
            SelectChoice("sv", "svenska"),
            SelectChoice("en", "English"),
        ],
    )


class UserForm(FlaskForm):
    """The administrator's form for creating and editing a user."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    unit = SelectField(_l("Unit"), coerce=int, validate_choice=False)
    role_staff = BooleanField(ROLE_LABELS[Role.STAFF])
    role_supervisor = BooleanField(ROLE_LABELS[Role.SUPERVISOR])
    role_admin = BooleanField(ROLE_LABELS[Role.ADMIN])
    role_reports = BooleanField(ROLE_LABELS[Role.REPORTS])
    role_manager = BooleanField(
        ROLE_LABELS[Role.MANAGER],
        description=_l(
            "Orders group supervision for members of their own unit. Principals and managers "
            "in HR's data are unit managers without this."
        ),
    )
    role_guest = BooleanField(
        ROLE_LABELS[Role.GUEST],
        description=_l("A limited account: only their own groups and sessions."),
    )
    # No password field: the administrator never sets or learns a password; the user
    # sets their own through a one-time link (accounts/password_links.py).

    def validate_unit(self, field) -> None:
        # an id no row can have (0: no unit); the database cannot even bind some of them
        if field.data is not None and not 0 <= field.data <= MAX_ROW_ID:
            raise ValidationError(_("Choose a unit from the list."))


class PasswordChangeForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class EmailChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=200)]
    )
    email = EmailField(
        _l("New e-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
