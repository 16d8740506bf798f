"""Publishing, withdrawing and absences: the supervisors' and the administrator's slot pages."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from lahti_pool.accounts.models import Role
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import paginate
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.slots import services
from lahti_pool.slots.forms import (
    WEEKDAY_LABELS,
    AbsenceForm,
    ConfirmForm,
    PatternForm,
    SlotForm,
)
from lahti_pool.slots.models import SupervisorAbsence
from lahti_pool.slots.rules import MAX_PATTERN_SLOTS
from lahti_pool.slots.views import bp, get_pattern, get_slot, get_supervisor, now, today
from lahti_pool.supervisors.models import Supervisor

# --- Supervisors and the administrator: publish, withdraw, absences -------------------


def _render_manage(supervisor: Supervisor | None, status: int = 200, **forms):
    forms.setdefault("slot_form", SlotForm(prefix="slot", formdata=None))
    forms.setdefault("pattern_form", PatternForm(prefix="pattern", formdata=None))
    forms.setdefault("absence_form", AbsenceForm(prefix="absence", formdata=None))
    page = absences = None
    patterns, states = [], {}
    if supervisor is not None:
        query = services.supervisor_slots(supervisor, now())
        page = paginate(query, per_page=50, error_out=False)
        states = services.booking_states(page.items)  # a late cancellation stays booked
        absences = services.upcoming_absences(supervisor, today())
        patterns = services.coming_patterns(supervisor, now())
    supervisors = services.active_supervisors() if current_user.has_role(Role.ADMIN) else []
    return render_template(
        "slots/manage.html",
        supervisor=supervisor,
        page=page,
        absences=absences,
        states=states,
        patterns=patterns,
        weekday_labels=WEEKDAY_LABELS,
        max_pattern_slots=MAX_PATTERN_SLOTS,
        supervisors=supervisors,
        withdraw_form=ConfirmForm(),
        now=now(),
        **forms,
    ), status


def _manage_url(supervisor: Supervisor) -> str:
    return url_for("slots.manage", supervisor=supervisor.id)


@bp.get("/manage")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def manage():
    chosen = request.args.get("supervisor", type=int)
    supervisor = get_supervisor(chosen) if chosen else services.supervisor_of(current_user)
    return _render_manage(supervisor)


@bp.post("/manage/<int:supervisor_id>/slot")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def publish(supervisor_id: int):
    supervisor = get_supervisor(supervisor_id)
    form = SlotForm(prefix="slot")
    if form.validate_on_submit():
        try:
            slot = services.publish_slot(current_user, supervisor, form.as_input(), now())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            when = format_datetime(slot.starts_at, "short")
            flash(_("The slot on %(when)s is published.", when=when), "success")
            return redirect(_manage_url(supervisor))
    return _render_manage(supervisor, 400, slot_form=form)


@bp.post("/manage/<int:supervisor_id>/pattern")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def publish_pattern(supervisor_id: int):
    supervisor = get_supervisor(supervisor_id)
    form = PatternForm(prefix="pattern")
    if form.validate_on_submit():
        try:
            result = services.publish_pattern(current_user, supervisor, form.as_input(), now())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_published_message(result), "success")
            return redirect(_manage_url(supervisor))
    return _render_manage(supervisor, 400, pattern_form=form)


def _published_message(result: services.PublishResult) -> str:
    message = ngettext("%(num)s slot published.", "%(num)s slots published.", len(result.created))
    if result.holidays:
        days = ", ".join(format_date(d, "short") for d in result.holidays)
        message += " " + _("Public holidays skipped: %(days)s.", days=days)
    if result.absences:
        days = ", ".join(format_date(d, "short") for d in result.absences)
        message += " " + _("Days of absence skipped: %(days)s.", days=days)
    return message


@bp.post("/manage/<int:supervisor_id>/absences")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def add_absence(supervisor_id: int):
    supervisor = get_supervisor(supervisor_id)
    form = AbsenceForm(prefix="absence")
    if form.validate_on_submit():
        try:
            n_open = services.add_absence(
                current_user, supervisor, form.starts_on.data, form.ends_on.data, today()
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The absence is saved; weekly patterns will skip it."), "success")
            if n_open:
                flash(_("%(n)s open slots fall on these days; withdraw them below.", n=n_open))
            return redirect(_manage_url(supervisor))
    return _render_manage(supervisor, 400, absence_form=form)


def get_absence(absence_id: int) -> SupervisorAbsence:
    """An absence of a supervisor whose slots the current user manages.

    :raises 404: no such absence
    :raises 403: the user is neither its supervisor nor the administrator
    """
    absence = db.get_or_404(SupervisorAbsence, absence_id)
    get_supervisor(absence.supervisor_id)
    return absence


@bp.route("/absences/<int:absence_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def edit_absence(absence_id: int):
    absence = get_absence(absence_id)
    form = AbsenceForm(obj=absence)
    if form.validate_on_submit():
        try:
            services.update_absence(
                current_user, absence, form.starts_on.data, form.ends_on.data, today()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The absence is changed."), "success")
            return redirect(_manage_url(absence.supervisor))
    status = 400 if form.errors else 200
    return render_template("slots/absence_edit.html", absence=absence, form=form), status


@bp.post("/absences/<int:absence_id>/remove")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def remove_absence(absence_id: int):
    absence = get_absence(absence_id)  # CSRFProtect has checked the token already
    supervisor = absence.supervisor
    services.remove_absence(current_user, absence)
    db.session.commit()
    flash(_("The absence is removed."), "success")
    return redirect(_manage_url(supervisor))


@bp.post("/<int:slot_id>/withdraw")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def withdraw(slot_id: int):
    slot = get_slot(slot_id, manage=True)
    try:
        services.withdraw_slot(current_user, slot)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("The slot is withdrawn."), "success")
    return redirect(_manage_url(slot.supervisor))


@bp.post("/patterns/<int:pattern_id>/withdraw")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def withdraw_pattern(pattern_id: int):
    pattern = get_pattern(pattern_id)  # CSRFProtect has checked the token already
    try:
        result = services.withdraw_pattern(current_user, pattern, now())
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("%(n)s open slots of the pattern are withdrawn.", n=result.withdrawn), "success")
        if result.booked:
            flash(
                _(
                    "%(n)s of its slots are booked and stay; cancel a booking on its own "
                    "if you must, so that the person hears of it.",
                    n=result.booked,
                )
            )
    return redirect(_manage_url(pattern.supervisor))
