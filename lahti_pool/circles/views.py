"""Covision circles' pages: start, join, leave, plan meetings, the meeting page, back to a
supervisor. Themes passed upward are in views_themes.py (the same blueprint)."""

from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from lahti_pool.circles import forms, renewal, rules, services, themes
from lahti_pool.circles.models import CircleMeeting, CovisionCircle, MeetingState, MemberState
from lahti_pool.core.confirm import ConfirmActionForm, Confirmation, confirmation_page
from lahti_pool.core.errors import DomainError
from lahti_pool.core.models import utcnow
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Venue
from lahti_pool.requests.services import open_school_years
from lahti_pool.sessions.models import SupervisionProcess
from lahti_pool.supervisors.models import Supervisor

bp = Blueprint("circles", __name__, url_prefix="/circles")


def now() -> datetime:
    return utcnow()


def today() -> date:
    return date.today()


def get_circle(circle_id: int, members_only: bool = False) -> CovisionCircle:
    """The circle if the current user belongs to it (or, unless ``members_only``, is
    invited to it).

    :raises 404: no such circle
    :raises 403: the user is not in it
    """
    circle = db.get_or_404(CovisionCircle, circle_id)
    if not (circle.is_member(current_user) if members_only else circle.can_view(current_user)):
        abort(403)
    return circle


def get_meeting(meeting_id: int) -> CircleMeeting:
    """The meeting if the current user is a member of its circle (403 otherwise, 404)."""
    meeting = db.get_or_404(CircleMeeting, meeting_id)
    get_circle(meeting.circle_id, members_only=True)
    return meeting


def get_group_process(process_id: int, allowed) -> SupervisionProcess:
    process = db.get_or_404(SupervisionProcess, process_id)
    if not allowed(current_user, process):
        abort(403)
    return process


@bp.get("/")
@login_required
def index():
    return render_template(
        "circles/index.html",
        circles=services.my_circles(current_user),
        waiting=themes.waiting_for(current_user),
    )


@bp.route("/start/<int:process_id>", methods=["GET", "POST"])
@login_required
def start(process_id: int):
    process = get_group_process(process_id, themes.can_raise)
    existing = services.circle_of(process)
    if existing is not None and existing.can_view(current_user):
        return redirect(url_for("circles.detail", circle_id=existing.id))
    if not services.can_start(current_user, process):
        flash(_("A circle can be started once the group's process has ended, once."), "info")
        return redirect(url_for("sessions.process_detail", process_id=process.id))
    form = forms.StartCircleForm()
    if request.method == "GET" and process.request is not None:
        form.name.data = process.request.group_name
    if form.validate_on_submit():
        try:
            circle = services.start_circle(current_user, process, form.name.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The circle is started; the other members are invited."), "success")
            return redirect(url_for("circles.detail", circle_id=circle.id))
    return render_template("circles/start.html", form=form, process=process)


@bp.get("/<int:circle_id>")
@login_required
def detail(circle_id: int):
    circle = get_circle(circle_id)
    moment = now()
    return render_template(
        "circles/detail.html",
        circle=circle,
        row=circle.row_of(current_user),
        coming=[m for m in circle.meetings if m.starts_at > moment],
        past=[m for m in circle.meetings if m.starts_at <= moment],
        themes=themes.themes_of(circle),
        MemberState=MemberState,
        MeetingState=MeetingState,
        form=ConfirmActionForm(formdata=None),
    )


@bp.post("/<int:circle_id>/join")
@login_required
def join(circle_id: int):
    circle = get_circle(circle_id)
    if ConfirmActionForm().validate_on_submit():
        try:
            services.join_circle(current_user, circle)
        except DomainError as error:
            show_domain_error(None, error)
        else:
            db.session.commit()
            flash(_("You joined the circle."), "success")
    return redirect(url_for("circles.detail", circle_id=circle_id))


@bp.route("/<int:circle_id>/leave", methods=["GET", "POST"])
@login_required
def leave(circle_id: int):
    circle = get_circle(circle_id)
    if not ConfirmActionForm().is_confirmed():
        return confirmation_page(
            Confirmation(
                title=_("Leave the circle?"),
                what=_(
                    "You are no longer a member: coming meetings you were to host go to the "
                    "other members in turn, and you get no more invitations."
                ),
                button=_("Yes, leave the circle"),
                back_url=url_for("circles.detail", circle_id=circle.id),
                back_label=_("No, stay"),
                facts=[(_("Circle"), circle.name)],
            )
        )
    try:
        services.leave_circle(current_user, circle, now())
    except DomainError as error:
        show_domain_error(None, error)
        return redirect(url_for("circles.detail", circle_id=circle_id))
    db.session.commit()
    flash(_("You left the circle."), "success")
    return redirect(url_for("circles.index"))


@bp.route("/<int:circle_id>/plan", methods=["GET", "POST"])
@login_required
def plan(circle_id: int):
    circle = get_circle(circle_id, members_only=True)
    form = forms.PlanMeetingsForm()
    venues = db.session.scalars(select(Venue).where(Venue.is_active).order_by(Venue.name))
    form.venue.choices = [SelectChoice(0, _("No venue (video meeting)"))] + [
        SelectChoice(v.id, v.name) for v in venues
    ]
    if request.method == "GET":
        form.first_day.data = today() + timedelta(days=14)
        form.at.data = time(14, 0)
    if form.validate_on_submit():
        try:
            made = services.plan_meetings(current_user, circle, form.as_input(), now())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)s meeting planned; the members are invited.",
                    "%(num)s meetings planned; the members are invited.",
                    len(made),
                ),
                "success",
            )
            return redirect(url_for("circles.detail", circle_id=circle.id))
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("circles/plan.html", form=form, circle=circle), status


def _meeting_page(meeting: CircleMeeting, topic_form=None, host_form=None, attendance_form=None):
    circle = meeting.circle
    members = [m.user for m in circle.joined]
    host_form = host_form or forms.HostForm(formdata=None, host=meeting.host_id)
    host_form.host.choices = [SelectChoice(u.id, u.name) for u in members]
    attendance_form = attendance_form or forms.AttendanceForm(
        formdata=None, attendees=[a.user_id for a in meeting.attendance if a.attended]
    )
    attendance_form.attendees.choices = [SelectChoice(u.id, u.name) for u in members]
    is_host = meeting.host_id == current_user.id
    return render_template(
        "circles/meeting.html",
        meeting=meeting,
        circle=circle,
        is_host=is_host,
        started=meeting.starts_at <= now(),
        structure=rules.STRUCTURE,
        topic_form=topic_form or forms.TopicForm(formdata=None, topic=meeting.topic),
        host_form=host_form,
        attendance_form=attendance_form,
        MeetingState=MeetingState,
    )


@bp.get("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    return _meeting_page(get_meeting(meeting_id))


@bp.post("/meetings/<int:meeting_id>/topic")
@login_required
def topic(meeting_id: int):
    sup_meeting = get_meeting(meeting_id)
    form = forms.TopicForm()
    if form.validate_on_submit():
        try:
            services.set_topic(current_user, sup_meeting, form.topic.data or "")
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The topic is saved."), "success")
            return redirect(url_for("circles.meeting", meeting_id=meeting_id))
    return _meeting_page(sup_meeting, topic_form=form), 400


@bp.post("/meetings/<int:meeting_id>/host")
@login_required
def host(meeting_id: int):
    sup_meeting = get_meeting(meeting_id)
    form = forms.HostForm()
    form.host.choices = [
        SelectChoice(u.id, u.name) for u in (m.user for m in sup_meeting.circle.joined)
    ]
    form.host.validate_choice = False  # the service says why a non-member cannot host
    if form.validate_on_submit():
        try:
            services.set_host(current_user, sup_meeting, form.host.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The host is changed."), "success")
            return redirect(url_for("circles.meeting", meeting_id=meeting_id))
    return _meeting_page(sup_meeting, host_form=form), 400


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id: int):
    sup_meeting = get_meeting(meeting_id)
    form = forms.AttendanceForm()
    form.attendees.choices = [
        SelectChoice(m.user_id, m.user.name) for m in sup_meeting.circle.joined
    ]
    form.attendees.validate_choice = False  # the service refuses a non-member clearly
    if form.validate_on_submit():
        try:
            services.record_attendance(
                current_user, sup_meeting, set(form.attendees.data or []), now()
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The attendance is kept."), "success")
            return redirect(url_for("circles.meeting", meeting_id=meeting_id))
    return _meeting_page(sup_meeting, attendance_form=form), 400


def _prepare_request(form: forms.SupervisorRequestForm, exclude: int | None = None) -> None:
    years = open_school_years(today())
    form.school_year.choices = [SelectChoice(y.id, y.label) for y in years]
    supervisors = db.session.scalars(
        select(Supervisor).where(Supervisor.active).options(selectinload(Supervisor.user))
    ).all()
    choices = [SelectChoice(s.id, s.name) for s in supervisors if s.id != exclude]
    first = _("Choose a supervisor") if exclude else _("No preference")
    form.preferred_supervisor.choices = [SelectChoice(0, first)] + sorted(
        choices, key=lambda c: c.label
    )
    if request.method == "GET" and years:
        form.school_year.data = years[-1 if exclude else 0].id
        form.wanted_from.data = max(today(), years[-1 if exclude else 0].starts_on)
        form.sessions.data = 5


def _request_page(form, submit, title: str, back_url: str):
    if form.validate_on_submit():
        try:
            sup_request = submit(form.as_input())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The request is sent; the members are invited."), "success")
            return redirect(url_for("requests.detail", request_id=sup_request.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "circles/supervisor_request.html", form=form, title=title, back_url=back_url
    ), status


@bp.route("/<int:circle_id>/supervisor", methods=["GET", "POST"])
@login_required
def ask_supervisor(circle_id: int):
    circle = get_circle(circle_id, members_only=True)
    form = forms.SupervisorRequestForm()
    _prepare_request(form)
    locale = str(get_locale())
    return _request_page(
        form,
        lambda data: renewal.ask_for_supervisor(current_user, circle, data, today(), locale),
        _("Ask for a supervisor for the circle"),
        url_for("circles.detail", circle_id=circle.id),
    )


@bp.route("/renew/<int:process_id>", methods=["GET", "POST"])
@login_required
def renew(process_id: int):
    process = get_group_process(process_id, themes.can_raise)
    if not renewal.can_renew(current_user, process):
        flash(_("A group can be renewed once its process has ended."), "info")
        return redirect(url_for("sessions.process_detail", process_id=process.id))
    form = forms.SupervisorRequestForm()
    _prepare_request(form, exclude=process.supervisor_id)
    locale = str(get_locale())
    return _request_page(
        form,
        lambda data: renewal.renew_group(current_user, process, data, today(), locale),
        _("Renew the group with another supervisor"),
        url_for("sessions.process_detail", process_id=process.id),
    )


from lahti_pool.circles import views_themes  # noqa: E402, F401 - its routes join bp
