from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from lahti_pool.budget.labels import COST_KEY_LABELS
from lahti_pool.core.models import MAX_ROW_ID
from lahti_pool.core.widgets import InYears
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.labels import POLICY_LABELS


class RunForm(FlaskForm):
    policy = SelectField(
        _l("Policy"),
        choices=[SelectChoice(p.value, label) for p, label in POLICY_LABELS.items()],
    )


class FormGroupForm(FlaskForm):
    """Form a group from an offer; over the budget it needs the administrator's reason."""

    budget_override_reason = StringField(
        _l("Reason for going over the budget"), validators=[Optional(), Length(max=500)]
    )


class AcceptForm(FlaskForm):
    """Accept one assignment; another supervisor makes it an override with a reason."""

    supervisor = SelectField(_l("Supervisor"), coerce=int, validate_choice=False)
    sessions = IntegerField(
        _l("Sessions granted"), validators=[Optional(), NumberRange(min=1, max=50)]
    )
    reason = StringField(
        _l("Reason for choosing another supervisor"), validators=[Optional(), Length(max=500)]
    )
    budget_override_reason = StringField(
        _l("Reason for going over the budget"), validators=[Optional(), Length(max=500)]
    )
    #: a group across organisations: how it shares its cost (the shares are read from
    #: the ``share-<organisation>`` fields, budget/costkey.shares_from_form)
    cost_key = SelectField(
        _l("Cost key"),
        choices=[SelectChoice(k, label) for k, label in COST_KEY_LABELS.items()],
        default="attendance",
        validators=[Optional()],
    )

    def validate_supervisor(self, field) -> None:
        # an id no row can have (0: the proposed supervisor); the database cannot even bind
        # some of them
        if field.data is not None and not 0 <= field.data <= MAX_ROW_ID:
            raise ValidationError(_("Choose a supervisor from the list."))


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form for an export

    start = DateField(_l("From"), validators=[InputRequired(), InYears()])
    end = DateField(_l("To"), validators=[InputRequired(), InYears()])


def policy_from(value: str) -> Policy:
    return Policy(value)
