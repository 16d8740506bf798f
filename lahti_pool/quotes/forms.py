"""Forms of quotes for a group (shape only; the services check the rules)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lahti_pool.budget.labels import COST_KEY_LABELS
from lahti_pool.core.money import AmountField, to_cents
from lahti_pool.core.widgets import InYears
from lahti_pool.quotes.services import QuoteInput, RoundInput


class AskForm(FlaskForm):
    supervisors = SelectMultipleField(_l("Supervisors asked"), coerce=int, validate_choice=False)
    sessions = IntegerField(
        _l("Number of sessions"), validators=[InputRequired(), NumberRange(min=1, max=100)]
    )
    period_from = DateField(_l("Period from"), validators=[InputRequired(), InYears()])
    period_to = DateField(_l("Period to"), validators=[InputRequired(), InYears()])
    need = TextAreaField(
        _l("The need in short"),
        validators=[InputRequired(), Length(max=500)],
        description=_l(
            "What the supervisors need to price the work (the field, the kind of group). "
            "Nothing confidential: no answers to the pre-questions, no goals, no names."
        ),
    )

    def as_input(self) -> RoundInput:
        return RoundInput(
            tuple(self.supervisors.data or ()),
            self.sessions.data,
            self.period_from.data,
            self.period_to.data,
            self.need.data or "",
        )


class QuoteForm(FlaskForm):
    price = AmountField(
        _l("Price per session (€, VAT excluded)"),
        validators=[InputRequired(), NumberRange(min=0, max=1_000_000)],
    )
    valid_until = DateField(_l("Valid until"), validators=[InputRequired(), InYears()])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])

    def as_input(self) -> QuoteInput:
        return QuoteInput(
            to_cents(self.price.data, "price"), self.valid_until.data, self.note.data or ""
        )


class DeclineForm(FlaskForm):
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])


class AcceptForm(FlaskForm):
    quote = IntegerField(_l("Quote"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason for the choice"),
        validators=[InputRequired(), Length(max=500)],
        description=_l("Written to the procurement record with the quotes asked and received."),
    )
    budget_override_reason = StringField(
        _l("Reason, if this goes over the budget"), validators=[Optional(), Length(max=500)]
    )
    #: a group across organisations: how it shares its cost (the shares are read from
    #: the ``share-<organisation>`` fields, budget/costkey.shares_from_form)
    cost_key = SelectField(
        _l("Cost key"),
        choices=[SelectChoice(k, label) for k, label in COST_KEY_LABELS.items()],
        default="attendance",
        validators=[Optional()],
    )
