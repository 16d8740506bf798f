"""A programme's costs, paid from its funding source and guarded by that source's budget
(budget/funding.py): a page section of the programme, for its managers."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lahti_pool.accounts.models import Role
from lahti_pool.budget import funding
from lahti_pool.core.errors import DomainError
from lahti_pool.core.money import to_cents
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.programmes import services
from lahti_pool.programmes.forms import CostForm
from lahti_pool.programmes.views import bp, get_programme, render_detail

#: what the funding source's expenses name as their subject
SUBJECT = "programme"


def costs_of(programme) -> list:
    return funding.expenses_for(SUBJECT, programme.id)


@bp.post("/programmes/<int:programme_id>/costs")
@login_required
def add_cost(programme_id: int):
    programme = get_programme(programme_id)
    if not services.can_manage(current_user, programme):
        return render_detail(programme, 403)
    form = CostForm(prefix="cost")
    if programme.funding_source_id is None:
        flash(
            _(
                "This programme is paid from the city's own budget: it has no funding "
                "source to record costs on."
            ),
            "danger",
        )
        return redirect(url_for("programmes.detail", programme_id=programme.id))
    if form.validate_on_submit():
        # over the budget only with the pool administrator's reason (the guard's rule)
        reason = form.override_reason.data or "" if current_user.has_role(Role.ADMIN) else ""
        try:
            _expense, warnings = funding.record_expense(
                current_user,
                funding.ExpenseInput(
                    programme.funding_source_id,
                    form.on_date.data,
                    to_cents(form.amount.data, "amount"),
                    form.description.data or "",
                    SUBJECT,
                    programme.id,
                    override_reason=reason,
                ),
            )
        except DomainError as error:
            if error.field == "override_reason" and not current_user.has_role(Role.ADMIN):
                error.field = "amount"  # an organiser's form has no reason to give
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The cost is recorded."), "success")
            for warning in warnings:
                flash(
                    _(
                        "Budget: %(name)s is at %(percent)s %% of its budget.",
                        name=warning.source_name,
                        percent=warning.percent,
                    ),
                    "warning",
                )
            return redirect(url_for("programmes.detail", programme_id=programme.id))
    return render_detail(programme, 400, cost_form=form)
