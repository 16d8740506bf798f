"""Offer pages: pages of the matching feature."""

from flask import (
    current_app,
    flash,
    redirect,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lahti_pool.accounts.models import Role
from lahti_pool.core.permissions import roles_required
from lahti_pool.extensions import db
from lahti_pool.matching import offers
from lahti_pool.matching.forms import FormGroupForm
from lahti_pool.matching.models import GroupOffer, MatchingRun
from lahti_pool.matching.views import _act, bp, today


@bp.post("/runs/<int:run_id>/groups/<int:group_no>/offer")
@roles_required(Role.ADMIN)
def offer_group(run_id: int, group_no: int):
    run = db.get_or_404(MatchingRun, run_id)
    return _act(
        lambda: offers.offer_group(current_user, run, group_no),
        _("The group is offered; the staff members answer on their request pages."),
    )


@bp.post("/offers/<int:offer_id>/form")
@roles_required(Role.ADMIN)
def form_group(offer_id: int):
    offer = db.get_or_404(GroupOffer, offer_id)
    form = FormGroupForm()
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("matching.queue"))
    return _act(
        lambda: offers.form_group(
            current_user,
            offer,
            current_app.config["GROUP_MIN_MEMBERS"],
            today(),
            form.budget_override_reason.data or "",
        ),
        _("The group is formed and its supervisor notified."),
    )


@bp.post("/offers/<int:offer_id>/cancel")
@roles_required(Role.ADMIN)
def cancel_offer(offer_id: int):
    offer = db.get_or_404(GroupOffer, offer_id)
    return _act(
        lambda: offers.cancel_offer(current_user, offer),
        _("The offer is cancelled; its members are back on the waiting list."),
    )
