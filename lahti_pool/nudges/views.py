"""The nudges' pages: units with low uptake and the message to their managers (the
administrator), and the stop link of every nudge (no login)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.errors import DomainError
from lahti_pool.core.models import utcnow
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import commit_created, show_domain_error
from lahti_pool.extensions import db
from lahti_pool.nudges import services, uptake
from lahti_pool.nudges.forms import StopForm, UnitMessageForm
from lahti_pool.nudges.models import NudgeKind
from lahti_pool.organisation.models import Unit
from lahti_pool.requests.quota import school_year_for
from lahti_pool.sessions.rules import local_date

bp = Blueprint("nudges", __name__)

KIND_LABELS = {
    NudgeKind.YEAR_START: _l("the message at the start of each school year"),
    NudgeKind.FREE_SLOTS: _l("alerts of free on-duty supervision times on the same day"),
    NudgeKind.UNIT_UPTAKE: _l("messages about the uptake of supervision in your unit"),
}

REFUSAL_LABELS = {
    services.Refusal.OPTED_OUT: _l("asked for no such messages"),
    services.Refusal.ALREADY_SENT: _l("had this message this school year"),
    services.Refusal.LIMIT: _l("had as many messages as allowed this week"),
}


def _year():
    return school_year_for(local_date(utcnow()))


@bp.get("/admin/uptake")
@roles_required(Role.ADMIN)
def uptake_index():
    year = _year()
    commit_created()
    return render_template("nudges/uptake.html", year=year, units=uptake.low_uptake_units(year))


def _message_page(unit, year, form, preview=None, status=200):
    managers = uptake.unit_managers(unit)
    return render_template(
        "nudges/unit_message.html",
        unit=unit,
        year=year,
        form=form,
        managers=managers,
        preview=preview,
        paragraphs=(form.body.data or "").strip().split("\n\n") if preview else [],
    ), status


@bp.get("/admin/uptake/<int:unit_id>/message")
@roles_required(Role.ADMIN)
def unit_message(unit_id: int):
    unit, year = db.get_or_404(Unit, unit_id), _year()
    commit_created()
    subject, body = uptake.prepared_message(unit, year, uptake.unit_managers(unit))
    return _message_page(unit, year, UnitMessageForm(subject=subject, body=body))


@bp.post("/admin/uptake/<int:unit_id>/message")
@roles_required(Role.ADMIN)
def unit_message_send(unit_id: int):
    unit, year = db.get_or_404(Unit, unit_id), _year()
    form = UnitMessageForm()
    if not form.validate():
        return _message_page(unit, year, form, status=400)
    if not form.send.data:  # shown, not sent
        return _message_page(unit, year, form, preview=True)
    try:
        result = uptake.send_unit_message(
            current_user, unit, year, form.subject.data, form.body.data, utcnow()
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _message_page(unit, year, form, status=400)
    db.session.commit()
    flash(
        _("The message is queued to %(n)s managers.", n=len(result.sent)),
        "success" if result.sent else "warning",
    )
    for reason, people in result.refused.items():
        names = ", ".join(p.name for p in people)
        flash(
            _("Not sent to %(names)s: %(reason)s.", names=names, reason=REFUSAL_LABELS[reason]),
            "info",
        )
    return redirect(url_for("nudges.uptake_index"))


def _stop_target(token: str) -> tuple[User, NudgeKind]:
    """The person and kind of a stop link; 404 for a forged link or a removed account."""
    found = services.read_stop_token(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None:
        abort(404)
    return user, found[1]


@bp.get("/nudges/stop/<token>")
def stop(token: str):
    user, kind = _stop_target(token)
    wanted = services.preferences(user.id)[kind]
    return render_template(
        "nudges/stop.html",
        form=StopForm(),
        token=token,
        kind_label=KIND_LABELS[kind],
        wanted=wanted,
    )


@bp.post("/nudges/stop/<token>")
def stop_confirm(token: str):
    user, kind = _stop_target(token)
    if not StopForm().validate_on_submit():
        abort(400)
    services.set_preference(None, user.id, kind, False, via="link")
    db.session.commit()
    return render_template(
        "nudges/stop.html", form=None, token=token, kind_label=KIND_LABELS[kind], wanted=False
    )
