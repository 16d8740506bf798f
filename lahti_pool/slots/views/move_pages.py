"""The booker moves an on-duty booking to another free slot of the same supervisor."""

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from lahti_pool.accounts.models import Role
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.slots import services
from lahti_pool.slots.forms import MoveForm
from lahti_pool.slots.models import OnDutySlot
from lahti_pool.slots.views import bp, get_slot, now


def _choice_label(row) -> str:
    ends = row.starts_at + timedelta(minutes=row.duration_minutes)
    return _(
        "%(day)s %(start)s–%(end)s",
        day=format_date(row.on_date, "full"),
        start=format_datetime(row.starts_at, "H.mm"),
        end=format_datetime(ends, "H.mm"),
    )


@bp.route("/<int:slot_id>/move", methods=["GET", "POST"])
@roles_required(Role.STAFF)
def move(slot_id: int):
    slot = get_slot(slot_id)
    moment = now()
    problem = services.move_problem(current_user, slot, moment)
    form = MoveForm()
    targets = [] if problem else services.move_targets(current_user, slot, moment)
    form.target.choices = [(row.id, _choice_label(row)) for row in targets]
    if problem is None and form.validate_on_submit():
        target = db.get_or_404(OnDutySlot, form.target.data)
        try:
            services.move_booking(current_user, slot, target, moment)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Your booking is moved; the calendar invitation is updated."),
                "success",
            )
            return redirect(url_for("slots.detail", slot_id=target.id))
    status = 400 if form.errors else 200
    return render_template(
        "slots/slot_move.html", slot=slot, form=form, problem=problem, targets=targets
    ), status
