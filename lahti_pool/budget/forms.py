"""Forms of the approval list, the budgets and the invoice statements (shape only)."""

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
from wtforms.fields import MonthField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from lahti_pool.budget.labels import COST_KEY_LABELS
from lahti_pool.budget.services import BudgetInput
from lahti_pool.core.models import MAX_ROW_ID
from lahti_pool.core.money import AmountField, to_cents
from lahti_pool.core.widgets import FIRST_YEAR, LAST_YEAR, InYears, LongSelect, RenderedChoices
from lahti_pool.sessions.models import SessionStatus

SESSION_STATUS_LABELS = {
    SessionStatus.PLANNED: _l("Planned"),
    SessionStatus.HELD: _l("Held"),
    SessionStatus.NO_SHOW: _l("Client did not come"),
    SessionStatus.LATE_CANCELLED: _l("Cancelled late by the client"),
    SessionStatus.CANCELLED: _l("Cancelled in time"),
    SessionStatus.CANCELLED_BY_SUPERVISOR: _l("Cancelled by the supervisor"),
}

YEARS = NumberRange(min=FIRST_YEAR, max=LAST_YEAR)


#: SelectField's own message, translated by WTForms (a constant: not in our catalogue)
_NOT_A_CHOICE = "Not a valid choice."


class LongSelectField(SelectField):
    """A select of hundreds of options (``LongSelect``). Given ``RenderedChoices``, the
    submitted value is checked against their values in one look-up instead of building
    a ``Choice`` per option; it renders and validates as a ``SelectField`` otherwise."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", LongSelect())
        super().__init__(*args, **kwargs)
        self.type = "SelectField"  # the ``field`` macro styles it as a select

    def pre_validate(self, form) -> None:
        choices = self.choices
        if not isinstance(choices, RenderedChoices) or self.process_errors:
            super().pre_validate(form)
        elif not self.validate_choice:
            return
        elif self.data not in choices.option_starts:
            raise ValidationError(self.invalid_choice_message or self.gettext(_NOT_A_CHOICE))


class ApprovalFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    supervisor = LongSelectField(_l("Supervisor"), coerce=int, default=0)
    month = MonthField(_l("Month"), validators=[Optional(), InYears()])
    division = SelectField(_l("Division"), coerce=int, default=0)

    def month_tuple(self) -> tuple[int, int] | None:
        return (self.month.data.year, self.month.data.month) if self.month.data else None


class ApproveForm(FlaskForm):
    """The bulk approval: ticked sessions, or the one whose own button was pressed."""

    session_ids = SelectMultipleField(coerce=int, validate_choice=False)
    only = IntegerField(validators=[Optional()])

    def chosen_ids(self) -> list[int]:
        """The ids asked for; one that no row can have is left out (nothing is found)."""
        ids = [self.only.data] if self.only.data else list(self.session_ids.data or [])
        return [i for i in ids if 0 < i <= MAX_ROW_ID]


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        _l("What should the supervisor correct?"), validators=[InputRequired(), Length(max=500)]
    )


class BudgetForm(FlaskForm):
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[InputRequired(), YEARS])
    division = SelectField(_l("Budget of"), coerce=int, default=0)
    amount = AmountField(
        _l("Amount (€, VAT excluded)"),
        validators=[InputRequired(), NumberRange(min=0, max=100_000_000)],
    )
    warn_percent = IntegerField(
        _l("Warning threshold (%)"),
        default=80,
        validators=[InputRequired(), NumberRange(min=1, max=100)],
        description=_l("The page warns when spent and committed money reaches this share."),
    )

    def as_input(self) -> BudgetInput:
        return BudgetInput(
            self.fiscal_year.data,
            self.division.data or None,
            to_cents(self.amount.data, "amount"),
            self.warn_percent.data,
        )


class OverviewForm(FlaskForm):
    class Meta:
        csrf = False  # a GET choice of what to show

    year = IntegerField(_l("Fiscal year"), validators=[Optional(), YEARS])
    division = SelectField(_l("Budget of"), coerce=int, default=0)


class GenerateForm(FlaskForm):
    supervisor = SelectField(
        _l("Supervisor"), coerce=int, validators=[InputRequired()], widget=LongSelect()
    )
    month = MonthField(_l("Month"), validators=[InputRequired(), InYears()])


class FundingSourceForm(FlaskForm):
    name = StringField(
        _l("Name of the funding source"), validators=[InputRequired(), Length(max=200)]
    )


class FundingBudgetForm(FlaskForm):
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[InputRequired(), YEARS])
    amount = AmountField(
        _l("Amount (€, VAT excluded)"),
        validators=[InputRequired(), NumberRange(min=0, max=100_000_000)],
    )
    warn_percent = IntegerField(
        _l("Warning threshold (%)"),
        default=80,
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )


class ExpenseForm(FlaskForm):
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
        description=_l("Only when the expense would take the funding source over its budget."),
    )


class OrgStatementForm(FlaskForm):
    """Which organisation's statement of which month (a GET form)."""

    class Meta:
        csrf = False

    organisation = SelectField(_l("Organisation"), coerce=int, default=0)
    month = MonthField(_l("Month"), validators=[InputRequired(), InYears()])


class CostKeyForm(FlaskForm):
    """Change a group's cost key; the shares are the ``share-<organisation>`` fields."""

    cost_key = SelectField(
        _l("Cost key"),
        choices=[SelectChoice(k, label) for k, label in COST_KEY_LABELS.items()],
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason for the change"),
        validators=[
            InputRequired(message=_l("Give the reason for changing the cost key.")),
            Length(max=500),
        ],
    )
    budget_override_reason = TextAreaField(
        _l("Reason for going over the budget"), validators=[Optional(), Length(max=500)]
    )
