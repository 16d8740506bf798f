"""Peer networks as members and coordinators see them: join and leave, events and their
registration, attendance, and the discussion board."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lahti_pool.core.confirm import ConfirmActionForm, Confirmation, confirmation_page
from lahti_pool.core.errors import DomainError
from lahti_pool.core.models import is_row_id, utcnow
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.networks import board, events, services
from lahti_pool.networks.forms import EVENT_KIND_LABELS, EventForm, HideForm, PostForm
from lahti_pool.networks.models import (
    BoardPost,
    NetworkCoordinator,
    NetworkEvent,
    PeerNetwork,
    PostStatus,
    RegistrationStatus,
)
from lahti_pool.organisation.models import Venue
from lahti_pool.organisation.orgs import organisation_names

bp = Blueprint("networks", __name__, url_prefix="/networks")


@bp.app_template_global("event_kind_label")
def event_kind_label(kind: str) -> str:
    return str(EVENT_KIND_LABELS.get(kind, kind))


def _network_or_404(network_id: int) -> PeerNetwork:
    """404 for an unknown or closed network."""
    network = db.session.get(PeerNetwork, network_id) if is_row_id(network_id) else None
    if network is None or not network.is_active:
        abort(404)
    return network


def _event_or_404(event_id: int) -> NetworkEvent:
    event = db.session.get(NetworkEvent, event_id) if is_row_id(event_id) else None
    if event is None or not event.network.is_active:
        abort(404)
    return event


def _post_or_404(post_id: int) -> BoardPost:
    """404 for an unknown post; 403 for anybody but the network's coordinator."""
    row = db.session.get(BoardPost, post_id) if is_row_id(post_id) else None
    if row is None:
        abort(404)
    if not services.is_coordinator(current_user, _network_or_404(row.network_id)):
        abort(403)
    return row


def _act(action, done: str, back: str):
    """Run a service call, commit and flash ``done``, or flash its refusal; then ``back``."""
    try:
        action()
    except DomainError as error:
        show_domain_error(None, error)
        return redirect(back)
    db.session.commit()
    flash(done, "success")
    return redirect(back)


@bp.get("")
@login_required
def index():
    return render_template(
        "networks/index.html",
        networks=services.networks_list(),
        mine=services.my_network_ids(current_user),
        can_join=services.can_join,
    )


@bp.get("/<int:network_id>")
@login_required
def detail(network_id: int):
    network = _network_or_404(network_id)
    now = utcnow()
    coordinators = db.session.scalars(
        db.select(NetworkCoordinator).where(NetworkCoordinator.network_id == network.id)
    ).all()
    is_coordinator = services.is_coordinator(current_user, network)
    org_ids = services.taking_part(network if not network.is_themed else network.parent)
    return render_template(
        "networks/detail.html",
        network=network,
        coordinators=coordinators,
        is_coordinator=is_coordinator,
        is_member=services.is_member(current_user, network),
        can_join=services.can_join(current_user, network),
        member_count=services.member_count(network),
        organisations=sorted(organisation_names(org_ids | {None}).values()),
        upcoming=events.upcoming_events(network, now),
        past=events.past_events(network, now),
    )


@bp.post("/<int:network_id>/join")
@login_required
def join(network_id: int):
    network = _network_or_404(network_id)
    done = _("Welcome to the network %(name)s.", name=network.name)
    back = url_for("networks.detail", network_id=network.id)
    return _act(lambda: services.join(current_user, network, utcnow()), done, back)


@bp.post("/<int:network_id>/leave")
@login_required
def leave(network_id: int):
    network = _network_or_404(network_id)
    done = _("You have left the network %(name)s.", name=network.name)
    back = url_for("networks.detail", network_id=network.id)
    return _act(lambda: services.leave(current_user, network, utcnow()), done, back)


def _event_form() -> EventForm:
    form = EventForm()
    venues = db.session.scalars(
        db.select(Venue).where(Venue.is_active.is_(True)).order_by(Venue.name)
    ).all()
    form.venue_id.choices = [SelectChoice(0, _("No venue: a video meeting"))] + [
        SelectChoice(v.id, f"{v.name}, {v.address}" if v.address else v.name) for v in venues
    ]
    return form


@bp.route("/<int:network_id>/events/new", methods=["GET", "POST"])
@login_required
def new_event(network_id: int):
    network = _network_or_404(network_id)
    if not services.is_coordinator(current_user, network):
        abort(403)
    form = _event_form()
    if form.validate_on_submit():
        try:
            event = events.create_event(current_user, network, form.as_input(), utcnow())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The event is planned; members can register."), "success")
            return redirect(url_for("networks.event_detail", event_id=event.id))
    status = 400 if request.method == "POST" else 200
    return render_template("networks/event_new.html", network=network, form=form), status


@bp.get("/events/<int:event_id>")
@login_required
def event_detail(event_id: int):
    event = _event_or_404(event_id)
    own = events.own_registration(event.id, current_user.id)
    is_coordinator = services.is_coordinator(current_user, event.network)
    registered = events.registrations(event, RegistrationStatus.REGISTERED)
    waiting = events.registrations(event, RegistrationStatus.WAITING) if is_coordinator else []
    return render_template(
        "networks/event.html",
        event=event,
        own=own,
        position=events.waiting_position(own)
        if own is not None and own.status == RegistrationStatus.WAITING
        else None,
        is_member=services.is_member(current_user, event.network),
        is_coordinator=is_coordinator,
        registered=registered,
        waiting=waiting,
        taken=len(registered),
        started=event.starts_at <= utcnow(),
    )


@bp.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    event = _event_or_404(event_id)
    back = url_for("networks.event_detail", event_id=event.id)
    try:
        row = events.register(current_user, event, utcnow())
    except DomainError as error:
        show_domain_error(None, error)
        return redirect(back)
    db.session.commit()
    if row.status == RegistrationStatus.REGISTERED:
        flash(_("You are registered. The calendar invitation is on its way by e-mail."), "success")
    else:
        flash(_("The event is full: you are on its waiting list."), "info")
    return redirect(back)


@bp.post("/events/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    event = _event_or_404(event_id)
    back = url_for("networks.event_detail", event_id=event.id)
    done = _("Your registration is cancelled.")
    return _act(lambda: events.cancel(current_user, event, utcnow()), done, back)


@bp.post("/events/<int:event_id>/attendance")
@login_required
def attendance(event_id: int):
    event = _event_or_404(event_id)
    if not services.is_coordinator(current_user, event.network):
        abort(403)
    present = {int(v) for v in request.form.getlist("present") if v.isdigit() and len(v) < 10}
    back = url_for("networks.event_detail", event_id=event.id)
    done = _("Attendance is recorded.")
    return _act(
        lambda: events.record_attendance(current_user, event, present, utcnow()), done, back
    )


@bp.route("/<int:network_id>/board", methods=["GET", "POST"])
@login_required
def board_page(network_id: int):
    network = _network_or_404(network_id)
    if not network.is_themed:
        abort(404)
    if not board.can_read(current_user, network):
        abort(403)
    form = PostForm()
    if not network.board_url and form.validate_on_submit():
        try:
            board.post(current_user, network, form.body.data, utcnow(), form.parent_id.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your message is posted."), "success")
            return redirect(url_for("networks.board_page", network_id=network.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "networks/board.html",
        network=network,
        form=form,
        hide_form=HideForm(formdata=None),
        threads=[] if network.board_url else board.threads(network),
        render_post=board.render_post,
        is_coordinator=services.is_coordinator(current_user, network),
        PostStatus=PostStatus,
    ), status


@bp.post("/posts/<int:post_id>/hide")
@login_required
def hide_post(post_id: int):
    row = _post_or_404(post_id)
    form = HideForm()
    back = url_for("networks.board_page", network_id=row.network_id)
    if not form.validate():
        flash(_("Say why the post is hidden."), "danger")
        return redirect(back)
    return _act(
        lambda: board.hide(current_user, row, form.reason.data), _("The post is hidden."), back
    )


@bp.route("/posts/<int:post_id>/remove", methods=["GET", "POST"])
@login_required
def remove_post(post_id: int):
    row = _post_or_404(post_id)
    back = url_for("networks.board_page", network_id=row.network_id)
    form = ConfirmActionForm()
    if request.method == "POST" and form.is_confirmed():
        return _act(lambda: board.remove(current_user, row), _("The post is removed."), back)
    return confirmation_page(
        Confirmation(
            title=_("Remove the post for good"),
            what=_("The text of the post is deleted; the reason it was hidden stays on the board."),
            button=_("Yes, remove the post"),
            back_url=back,
            back_label=_("Back to the board"),
            facts=[(_("Reason for hiding"), row.moderation_reason)],
        )
    )
