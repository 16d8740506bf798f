"""Funding sources, their budgets and expenses: pages of the budget feature."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from lahti_pool.accounts.models import Role
from lahti_pool.budget import funding
from lahti_pool.budget.forms import ExpenseForm, FundingBudgetForm, FundingSourceForm
from lahti_pool.budget.models import FundedExpense, FundingSource
from lahti_pool.budget.views import bp, today
from lahti_pool.core.confirm import ConfirmActionForm, Confirmation, confirmation_page
from lahti_pool.core.errors import DomainError
from lahti_pool.core.money import format_euros, to_cents
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.core.widgets import FIRST_YEAR, LAST_YEAR
from lahti_pool.extensions import db


def _year() -> int:
    year = request.args.get("year", type=int) or today().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else today().year


@bp.route("/admin/funding", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def funding_sources():
    """Every funding source's budget and use in a year; adding a source."""
    form = FundingSourceForm()
    if form.validate_on_submit():
        try:
            source = funding.add_source(current_user, form.name.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The funding source %(name)s is added.", name=source.name), "success")
            return redirect(url_for("budget.funding_source", source_id=source.id))
    year = _year()
    return render_template(
        "budget/funding.html", form=form, year=year, lines=funding.funding_lines(year)
    )


@bp.route("/admin/funding/<int:source_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def funding_source(source_id: int):
    """One funding source: its budget for a year, its expenses, and adding one."""
    source = db.get_or_404(FundingSource, source_id)
    year = _year()
    budget_form = FundingBudgetForm(prefix="budget")
    expense_form = ExpenseForm(prefix="expense")
    if request.method == "GET":
        budget_form.fiscal_year.data = year
    elif "budget-amount" in request.form and budget_form.validate_on_submit():
        try:
            funding.set_funding_budget(
                current_user,
                source,
                budget_form.fiscal_year.data,
                to_cents(budget_form.amount.data, "amount"),
                budget_form.warn_percent.data,
            )
        except DomainError as error:
            show_domain_error(budget_form, error)
        else:
            db.session.commit()
            flash(_("The budget is saved."), "success")
            return redirect(
                url_for(".funding_source", source_id=source.id, year=budget_form.fiscal_year.data)
            )
    elif "expense-amount" in request.form and expense_form.validate_on_submit():
        try:
            expense, warnings = funding.record_expense(
                current_user,
                funding.ExpenseInput(
                    source.id,
                    expense_form.on_date.data,
                    to_cents(expense_form.amount.data, "amount"),
                    expense_form.description.data or "",
                    override_reason=expense_form.override_reason.data or "",
                ),
            )
        except DomainError as error:
            show_domain_error(expense_form, error)
        else:
            db.session.commit()
            flash(_("The expense is recorded."), "success")
            for warning in warnings:
                flash(
                    _(
                        "Budget: %(name)s is at %(percent)s %% of its budget.",
                        name=warning.source_name,
                        percent=warning.percent,
                    ),
                    "warning",
                )
            return redirect(
                url_for(".funding_source", source_id=source.id, year=expense.fiscal_year)
            )
    line = next(line for line in funding.funding_lines(year) if line.source_id == source.id)
    return render_template(
        "budget/funding_source.html",
        source=source,
        year=year,
        line=line,
        expenses=funding.expenses(source.id, year),
        budget_form=budget_form,
        expense_form=expense_form,
        action_form=ConfirmActionForm(formdata=None),
    )


@bp.post("/admin/funding/<int:source_id>/active")
@roles_required(Role.ADMIN)
def funding_source_active(source_id: int):
    source = db.get_or_404(FundingSource, source_id)
    if ConfirmActionForm().validate_on_submit():
        funding.set_source_active(current_user, source, not source.is_active)
        db.session.commit()
        flash(
            _("New expenses can be recorded on it again.")
            if source.is_active
            else _("No new expenses can be recorded on it; its history stays."),
            "success",
        )
    return redirect(url_for(".funding_source", source_id=source.id))


@bp.route("/admin/funding/expenses/<int:expense_id>/remove", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def remove_funded_expense(expense_id: int):
    expense = db.get_or_404(FundedExpense, expense_id)
    back = url_for(".funding_source", source_id=expense.funding_source_id, year=expense.fiscal_year)
    form = ConfirmActionForm()
    if not form.is_confirmed():
        return confirmation_page(
            Confirmation(
                title=_("Remove the expense?"),
                what=_(
                    "The expense is removed from the funding source's use. The log of use "
                    "keeps a record of it."
                ),
                button=_("Yes, remove the expense"),
                back_url=back,
                back_label=_("No, keep it"),
                facts=[
                    (_("Funding source"), expense.funding_source.name),
                    (_("Date"), format_date(expense.on_date)),
                    (_("Amount"), format_euros(expense.amount_cents)),
                    (_("What the money is for"), expense.description),
                ],
            ),
            form,
        )
    funding.remove_expense(current_user, expense)
    db.session.commit()
    flash(_("The expense is removed."), "success")
    return redirect(back)
