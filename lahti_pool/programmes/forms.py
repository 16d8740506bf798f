"""The programmes' forms: shape of input only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from lahti_pool.core.money import AmountField
from lahti_pool.core.widgets import InYears, MultiCheckboxField


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    audience = TextAreaField(
        _l("Audience"),
        validators=[Length(max=500)],
        description=_l("Who the programme is for."),
        render_kw={"rows": 2},
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(), InYears()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(), InYears()])
    funding_source_id = SelectField(_l("Funding source"), coerce=int, choices=[])
    capacity = IntegerField(
        _l("Capacity (participants)"), validators=[InputRequired(), NumberRange(1, 500)]
    )
    modules_required = IntegerField(
        _l("Modules required for completion"),
        validators=[InputRequired(), NumberRange(1, 50)],
        description=_l("A module counts when every one of its days was attended."),
    )
    issuer = StringField(
        _l("Issuer of the certificate"), validators=[DataRequired(), Length(max=200)]
    )
    open_for_applications = BooleanField(_l("Staff may apply"), default=True)


class PersonForm(FlaskForm):
    """One person by e-mail: an organiser to grant, a person to nominate."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("accept", _l("Accept into the cohort")),
            SelectChoice("wait", _l("Put on the waiting list")),
            SelectChoice("refuse", _l("Refuse with a message")),
        ],
    )
    message = TextAreaField(
        _l("Message to the person"), validators=[Length(max=1000)], render_kw={"rows": 2}
    )


class ModuleForm(FlaskForm):
    theme = StringField(_l("Theme"), validators=[DataRequired(), Length(max=300)])
    venue_id = SelectField(_l("Venue"), coerce=int, choices=[])
    supervisor_ids = MultiCheckboxField(
        _l("Facilitators from the pool"), coerce=int, choices=[], validate_choice=True
    )
    outside_facilitators = StringField(
        _l("Facilitators from outside the pool"),
        validators=[Length(max=500)],
        description=_l("Names, separated by commas."),
    )


class DayForm(FlaskForm):
    module_id = SelectField(_l("Module"), coerce=int, choices=[])
    on_date = DateField(_l("Date"), validators=[InputRequired(), InYears()])
    starts_at = TimeField(_l("Starts at"), validators=[InputRequired()])
    hours = DecimalField(_l("Hours"), places=2, validators=[InputRequired(), NumberRange(0.25, 12)])
    agenda = TextAreaField(
        _l("Programme of the day"), validators=[Length(max=5000)], render_kw={"rows": 4}
    )
    wider_network = BooleanField(_l("A wider-network day with invited guests"))


class GuestForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    locale = SelectField(
        _l("Language of the invitation"),
        choices=[
            SelectChoice("fi", "suomi"),
            SelectChoice("sv", "svenska"),
            SelectChoice("en", "English"),
        ],
    )


class AttendanceForm(FlaskForm):
    """The CSRF token; the present people are checkboxes named ``member`` and ``guest``."""


class ContinuationForm(FlaskForm):
    continues = BooleanField(_l("The cohort continues as a group"))
    email = EmailField(
        _l("Responsible person's e-mail address"), validators=[Optional(), Length(max=254)]
    )


class CostForm(FlaskForm):
    """A cost of the programme, paid from its funding source (budget/funding.py)."""

    on_date = DateField(_l("Date"), validators=[InputRequired(), InYears()])
    amount = AmountField(
        _l("Amount (€, VAT excluded)"),
        validators=[InputRequired(), NumberRange(min=0, max=100_000_000)],
    )
    description = StringField(
        _l("What the money is for"),
        validators=[InputRequired(), Length(max=300)],
        description=_l("E.g. the venue of the second module. No names of participants."),
    )
    override_reason = TextAreaField(
        _l("Reason to go over the budget"),
        validators=[Optional(), Length(max=500)],
        description=_l(
            "The pool administrator's reason, only when the cost would take the funding "
            "source over its budget."
        ),
    )
