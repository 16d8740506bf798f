"""On-duty slots: staff browse and book; supervisors publish; the administrator reports."""

from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit, versions
from lahti_pool.core.confirm import ConfirmActionForm
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import Dates, Memo, RowPage, link_maker
from lahti_pool.core.models import is_row_id, utcnow
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.core.widgets import RenderedChoices
from lahti_pool.extensions import db
from lahti_pool.requests.labels import LANGUAGE_LABELS, MODE_LABELS
from lahti_pool.requests.quota import account_for, available_in, school_year_for
from lahti_pool.sessions.logistics import video_url_of
from lahti_pool.sessions.models import SessionStatus, SupervisionSession
from lahti_pool.slots import rules as slot_rules
from lahti_pool.slots import services
from lahti_pool.slots.forms import (
    BookForm,
    FilterForm,
    WatchForm,
)
from lahti_pool.slots.models import OnDutySlot, PublishedPattern, SlotStatus, SlotWatch
from lahti_pool.slots.services import CancelOutcome
from lahti_pool.supervisors.models import Supervisor

bp = Blueprint("slots", __name__, url_prefix="/slots")

CANCELLED = {
    CancelOutcome.TIMELY: _l("Your booking is cancelled and the session is back in your quota."),
    CancelOutcome.LATE: _l(
        "Your booking is cancelled. It was late, so the session counts as used."
    ),
    CancelOutcome.BY_SUPERVISOR: _l(
        "The booking is cancelled; the client's session is freed and they have been told."
    ),
}

SLOT_STATUS_LABELS = {
    SlotStatus.OPEN: _l("Free"),
    SlotStatus.BOOKED: _l("Booked"),
    SlotStatus.WITHDRAWN: _l("Withdrawn"),
}


#: what a booked slot's session has become, as its booker and supervisor read it
BOOKING_STATE_LABELS = {
    SessionStatus.PLANNED: _l("Booked"),
    SessionStatus.HELD: _l("Held"),
    SessionStatus.NO_SHOW: _l("Not attended: the session counts as used"),
    SessionStatus.LATE_CANCELLED: _l("Cancelled late: the session counts as used"),
    SessionStatus.CANCELLED: _l("Cancelled"),
    SessionStatus.CANCELLED_BY_SUPERVISOR: _l("Cancelled by the supervisor"),
}


@bp.app_template_global("booking_state_label")
def booking_state_label(state: str) -> str:
    return str(BOOKING_STATE_LABELS.get(state, state))


@bp.app_template_filter("slot_end")
def slot_end(slot: OnDutySlot) -> datetime:
    return slot.starts_at + timedelta(minutes=slot.duration_minutes)


@bp.app_template_global("slot_status_label")
def slot_status_label(status: str) -> str:
    return str(SLOT_STATUS_LABELS.get(status, status))


def now() -> datetime:
    return utcnow()


def today() -> date:
    return slot_rules.local_date(now())


def get_slot(slot_id: int, *, manage: bool = False) -> OnDutySlot:
    """The slot if the current user may see its booking (or, with ``manage``, change it).

    :raises 404: no such slot
    :raises 403: not its supervisor nor the administrator, nor (without ``manage``) its booker
    """
    slot = db.get_or_404(OnDutySlot, slot_id)
    if manage and not services.can_manage_slots(current_user, slot.supervisor):
        abort(403)
    if not services.can_view_booking(current_user, slot):
        abort(403)
    return slot


def get_supervisor(supervisor_id: int) -> Supervisor:
    """The supervisor whose slots the current user manages.

    :raises 404: no such supervisor (nor any: an id outside the ids rows have)
    :raises 403: the user is neither that supervisor nor the administrator
    """
    if not is_row_id(supervisor_id):
        abort(404)
    supervisor = db.get_or_404(Supervisor, supervisor_id)
    if not services.can_manage_slots(current_user, supervisor):
        abort(403)
    return supervisor


def get_pattern(pattern_id: int) -> PublishedPattern:
    """A weekly pattern whose slots the current user manages.

    :raises 404: no such pattern
    :raises 403: the user is neither its supervisor nor the administrator
    """
    pattern = db.get_or_404(PublishedPattern, pattern_id)
    if not services.can_manage_slots(current_user, pattern.supervisor):
        abort(403)
    return pattern


def _supervisor_choices(field, none_label: str) -> None:
    """Every active supervisor after ``none_label`` (value 0)."""
    field.choices = _rendered_supervisor_choices(none_label)


@versions.cached_read(Supervisor, User)
def _rendered_supervisor_choices(none_label: str) -> RenderedChoices:
    """Their options' markup rendered once per worker until a supervisor or a user
    changes (``LongSelect``)."""
    supervisors = services.active_supervisors()
    return RenderedChoices(
        [SelectChoice(0, none_label)] + [SelectChoice(s.id, s.name) for s in supervisors]
    )


# --- Staff: browse, book, cancel, wait ------------------------------------------------


@bp.get("/")
@roles_required(Role.STAFF)
def browse():
    moment = now()
    if services.expire_offers(moment):  # lazily; `flask pool expire-slot-offers` runs it too
        db.session.commit()
    form, watch_form = FilterForm(request.args), WatchForm(prefix="watch")
    _supervisor_choices(form.supervisor, _("Any"))
    _supervisor_choices(watch_form.supervisor, _("Any supervisor"))
    filters = form.as_input()
    query = services.free_slots_query(current_user, filters, moment)
    total = services.count_free_slots(current_user, filters, moment)
    page = RowPage(select=query, total=total, per_page=20, error_out=False)
    page.items = _free_slots(page.items)
    year = school_year_for(today())
    left = available_in(current_user.id, year)
    return render_template(
        "slots/browse.html",
        form=form,
        page=page,
        watch_form=watch_form,
        no_sessions_left=year.label if left <= 0 else None,
        year_ends=year.ends_on,
    )


class FreeSlot(NamedTuple):
    """A row of the slot browser, its texts and link made once (``_free_slots``)."""

    id: int
    on_date: date
    time: str  #: "9.00–10.00", the short times in the reader's locale
    supervisor_name: str
    mode: str  #: its label
    languages: str  #: their labels
    held_for_you: bool
    book_url: str
    book_label: str  #: the link's text for screen readers: when and with whom


def _free_slots(rows) -> list[FreeSlot]:
    """The browser's rows with their labels: Babel, translations and ``url_for`` once per
    distinct value or page instead of once per cell."""
    dates, book_url = Dates(), link_maker("slots.book", "slot_id")
    with_whom = _("%(when)s with %(name)s")
    modes = {m: str(label) for m, label in MODE_LABELS.items()}
    languages = Memo(lambda codes: ", ".join(str(LANGUAGE_LABELS.get(c, c)) for c in codes))
    user_id = current_user.id
    slots = []
    for row in rows:
        end = row.starts_at + timedelta(minutes=row.duration_minutes)
        slots.append(
            FreeSlot(
                row.id,
                row.on_date,
                f"{dates.hhmm(row.starts_at)}–{dates.hhmm(end)}",
                row.name,
                modes.get(row.mode, row.mode),
                languages[tuple(row.languages or ())],
                row.offered_to_id == user_id,
                book_url(row.id),
                with_whom % {"when": dates.datetime(row.starts_at), "name": row.name},
            )
        )
    return slots


@bp.route("/<int:slot_id>/book", methods=["GET", "POST"])
@roles_required(Role.STAFF)
def book(slot_id: int):
    slot = db.get_or_404(OnDutySlot, slot_id)
    form = BookForm()
    for q in services.pre_questions():
        getattr(form, f"answer_{q.position}").label.text = q.text(str(get_locale()))
    if form.validate_on_submit():
        try:
            services.book_slot(
                current_user,
                slot,
                form.answers(),
                now(),
                get_locale().language,
                phone=form.phone.data or "",
            )
        except DomainError as error:
            db.session.rollback()  # the slot as it is now, e.g. booked by the other click
            if _booked_by_me(slot):
                flash(_("You have already booked this slot."), "info")
                return redirect(url_for("slots.detail", slot_id=slot_id))
            if services.booking_problem(current_user, slot, now()) is None:
                show_domain_error(form, error)  # else the page's alert says it, once
        else:
            db.session.commit()
            flash(_("Booked: your on-duty session is confirmed."), "success")
            return redirect(url_for("slots.detail", slot_id=slot_id))
    quota = account_for(current_user.id, school_year_for(slot.on_date)).state()
    db.session.commit()
    return render_template(
        "slots/slot_book.html",
        slot=slot,
        form=form,
        quota=quota,
        problem=services.booking_problem(current_user, slot, now()),
        booked_by_me=_booked_by_me(slot),
        window=services.cancellation_window_hours(),
    )


def _booked_by_me(slot: OnDutySlot) -> bool:
    return slot.status == SlotStatus.BOOKED and slot.booked_by_id == current_user.id


@bp.get("/<int:slot_id>")
@login_required
def detail(slot_id: int):
    slot = get_slot(slot_id)
    sup_request = services.booking_request(slot)
    sup_session = db.session.get(SupervisionSession, slot.session_id) if slot.session_id else None
    show_answers = sup_request is not None and sup_request.can_view_answers(current_user)
    if show_answers and current_user.id != sup_request.requester_id and sup_request.answers:
        audit.record(current_user, "answers.viewed", sup_request)  # who read them, not what
        db.session.commit()
    state = services.booking_states([slot]).get(slot.id)
    response = make_response(
        render_template(
            "slots/slot_detail.html",
            slot=slot,
            state=state,
            answers=sup_request.answers if show_answers else [],
            # as confidential as the answers: the booker and the session's supervisor only
            phone=sup_request.contact_phone if show_answers else "",
            video_url=video_url_of(sup_session) if sup_session is not None else "",
            can_cancel=state == SessionStatus.PLANNED and slot.starts_at > now(),
            can_move=slot.booked_by_id == current_user.id
            and services.move_problem(current_user, slot, now()) is None,
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the answers and the phone number
    return response


@bp.route("/<int:slot_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(slot_id: int):
    slot = db.get_or_404(OnDutySlot, slot_id)
    if services.booking_already_cancelled(current_user, slot):
        # A second click: the first one cleared the booking, so ``get_slot`` would refuse.
        return _already_cancelled(slot)
    slot = get_slot(slot_id)
    form = ConfirmActionForm()
    if form.is_confirmed():  # a bare POST shows this page and changes nothing
        try:
            outcome = services.cancel_booking(current_user, slot, now())
        except DomainError as error:
            db.session.rollback()
            if services.booking_already_cancelled(current_user, slot):
                return _already_cancelled(slot)  # the other click won the race
            show_domain_error(None, error)
        else:
            db.session.commit()
            flash(CANCELLED[outcome], "success")
            if outcome == CancelOutcome.BY_SUPERVISOR:
                return redirect(url_for("slots.manage", supervisor=slot.supervisor_id))
            return redirect(url_for("slots.mine"))
    return render_template(
        "slots/slot_cancel.html",
        slot=slot,
        form=form,
        outcome=services.cancel_outcome(current_user, slot, now()),
        window=services.cancellation_window_hours(),
        bookable=services.booking_is_live(slot) and slot.starts_at > now(),
    )


def _already_cancelled(slot: OnDutySlot):
    flash(_("This booking has already been cancelled."), "info")
    if services.can_manage_slots(current_user, slot.supervisor):
        return redirect(url_for("slots.manage", supervisor=slot.supervisor_id))
    return redirect(url_for("slots.mine"))


@bp.get("/mine")
@roles_required(Role.STAFF)
def mine():
    watches = services.my_watches(current_user)
    bookings = services.my_bookings(current_user, now())
    return render_template(
        "slots/my_bookings.html",
        bookings=bookings,
        states=services.booking_states(bookings),
        watches=watches,
        offers=services.my_offers(current_user, now()),
        supervisor_names=services.supervisor_names({w.supervisor_id for w in watches}),
        now=now(),
    )


@bp.post("/watches")
@roles_required(Role.STAFF)
def watch():
    form = WatchForm(prefix="watch")
    _supervisor_choices(form.supervisor, _("Any supervisor"))
    if form.validate_on_submit():
        try:
            services.add_watch(
                current_user, form.on_date.data, form.supervisor.data or None, today()
            )
        except DomainError as error:
            show_domain_error(None, error)
        else:
            db.session.commit()
            flash(
                _("You are on the waiting list. We will tell you when a slot frees up."), "success"
            )
            return redirect(url_for("slots.mine"))
    else:  # what to correct (a year far off, an unknown supervisor), else the general hint
        errors = form.on_date.errors + form.supervisor.errors
        flash(errors[0] if errors else _("Choose a valid day or supervisor."), "danger")
    return redirect(url_for("slots.browse"))


@bp.post("/watches/<int:watch_id>/cancel")
@roles_required(Role.STAFF)
def unwatch(watch_id: int):
    slot_watch = db.get_or_404(SlotWatch, watch_id)
    if slot_watch.user_id != current_user.id:
        abort(403)
    try:
        services.cancel_watch(current_user, slot_watch)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("You have left the waiting list."), "success")
    return redirect(url_for("slots.mine"))


# The pages in the modules below register on ``bp`` when imported.
from lahti_pool.slots.views import manage_pages, move_pages, report_pages  # noqa: E402, F401
