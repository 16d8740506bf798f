from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.labels import POLICY_LABELS


class RunForm(FlaskForm):
    policy = SelectField(
        _l("Policy"),
        choices=[SelectChoice(p.value, label) for p, label in POLICY_LABELS.items()],
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


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form for an export

    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("To"), validators=[InputRequired()])


def policy_from(value: str) -> Policy:
    return Policy(value)
