"""The supervisor's workspace, the process page, planning and logging, staff's sessions."""

from datetime import datetime, time, timedelta

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
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lahti_pool.accounts.models import Role
from lahti_pool.core import audit
from lahti_pool.core.confirm import ConfirmActionForm, Confirmation, confirmation_page
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import Dates, link_maker, paginate
from lahti_pool.core.models import utcnow
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import show_domain_error
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions import (
    forms,
    logistics,
    processes,
    queries,
    rescheduling,
    rules,
    services,
    workspace_rows,
)
from lahti_pool.sessions.models import (
    SupervisionProcess,
    SupervisionSession,
)

bp = Blueprint("sessions", __name__)


def now() -> datetime:
    return utcnow()


def get_process(process_id: int) -> SupervisionProcess:
    """The process if the current user may see it.

    :raises 404: no such process
    :raises 403: the user is neither its supervisor, one of its clients, nor the administrator
    """
    process = db.get_or_404(SupervisionProcess, process_id)
    if not (
        processes.is_supervisor_of(current_user, process)
        or processes.is_client_of(current_user, process)
        or current_user.has_role(Role.ADMIN)
    ):
        abort(403)
    return process


def get_session(session_id: int, allowed) -> SupervisionSession:
    """The session if ``allowed(current_user, its process)``.

    :raises 404: no such session
    :raises 403: the user may not act on it
    """
    sup_session = db.get_or_404(SupervisionSession, session_id)
    if not allowed(current_user, sup_session.process):
        abort(403)
    return sup_session


def _render(template: str, **context):
    return render_template(
        template,
        status_labels=forms.STATUS_LABELS,
        approval_labels=forms.APPROVAL_LABELS,
        counts=processes.counts,
        now=now(),
        **context,
    )


def _flash_budget(warnings) -> None:
    locale = str(get_locale())
    for w in warnings:
        division = db.session.get(Division, w.division_id) if w.division_id else None
        name = division.name(locale) if division else _("the pool")
        message = _(
            "Budget: %(name)s is at %(percent)s %% of its budget.", name=name, percent=w.percent
        )
        flash(message, "warning")


@bp.get("/workspace")
@roles_required(Role.SUPERVISOR)
def workspace():
    moment = now()
    form = forms.YearForm(request.args)
    year = form.choose(queries.school_years(), rules.local_date(moment))
    page = workspace_rows.supervisor_page(current_user, year, moment)
    return _render("sessions/workspace.html", form=form, year=year, **page)


@bp.get("/processes/<int:process_id>")
@login_required
def process_detail(process_id: int):
    process = get_process(process_id)
    is_supervisor = processes.is_supervisor_of(current_user, process)
    answers = []
    if is_supervisor and process.request is not None:
        answers = process.request.answers
        if answers:
            # The log of use records who read confidential answers, never the answers.
            audit.record(current_user, "answers.viewed", process.request)
            db.session.commit()
    response = _process_page(process, is_supervisor, answers, forms.GoalsForm(obj=process))
    response.headers["Cache-Control"] = "no-store"  # goals and answers are confidential
    return response


def _process_page(process, is_supervisor, answers, goals_form, practice_form=None):
    practice_form = practice_form or forms.PracticeForm(
        midpoint_on=process.midpoint_reviewed_on, closing_on=process.closing_evaluated_on
    )
    return make_response(
        _render(
            "sessions/process_detail.html",
            process=process,
            answers=answers,
            is_supervisor=is_supervisor,
            is_group=process.kind == RequestKind.GROUP,
            show_goals=processes.can_see_goals(current_user, process),
            can_plan=processes.can_plan(current_user, process),
            can_close=processes.can_close(current_user, process),
            goals_form=goals_form,
            practice_form=practice_form,
            confirm_form=forms.ConfirmForm(),
        )
    )


def _prepare_plan(form: forms.PlanSessionForm, process: SupervisionProcess) -> None:
    is_group = process.kind == RequestKind.GROUP
    form.keep_fields_shown(is_group, current_user.has_role(Role.ADMIN))
    if is_group:
        form.host.choices, form.venue.choices = logistics.host_choices(process, _("Not named"))
    if request.method == "GET":
        form.duration.data = rules.default_duration(process.kind == RequestKind.GROUP)
        form.at.data = time(9, 0)


@bp.route("/processes/<int:process_id>/sessions/new", methods=["GET", "POST"])
@login_required
def plan(process_id: int):
    process = get_process(process_id)
    if not processes.can_plan(current_user, process):
        abort(403)
    form = forms.PlanSessionForm()
    _prepare_plan(form, process)
    if form.validate_on_submit():
        try:
            _session, warnings = services.plan_session(
                current_user,
                process,
                form.as_input(),
                now(),
                (form.override_reason and form.override_reason.data) or "",
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            _flash_budget(warnings)
            flash(_("The session is planned."), "success")
            return redirect(url_for("sessions.process_detail", process_id=process.id))
    return _render("sessions/session_plan.html", process=process, form=form)


@bp.route("/sessions/<int:session_id>/log", methods=["GET", "POST"])
@login_required
def log(session_id: int):
    sup_session = get_session(session_id, processes.is_supervisor_of)
    process = sup_session.process
    form = forms.LogSessionForm()
    form.set_choices(sup_session.is_covision, process.members)
    if request.method == "GET":
        form.outcome.data = sup_session.status if sup_session.status != "planned" else "held"
        form.duration.data = sup_session.duration_minutes
        form.attendees.data = [a.user_id for a in sup_session.attendance if a.attended is not False]
    if form.validate_on_submit():
        try:
            services.log_session(current_user, sup_session, form.as_input(), now())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The session is logged and waits for the administrator's approval."), "success")
            return redirect(url_for("sessions.process_detail", process_id=process.id))
    return _render("sessions/session_log.html", sup_session=sup_session, form=form)


@bp.route("/sessions/<int:session_id>/move", methods=["GET", "POST"])
@login_required
def move(session_id: int):
    sup_session = get_session(session_id, processes.is_supervisor_of)
    form = forms.MoveSessionForm()
    if request.method == "GET":
        local = sup_session.starts_at.astimezone(rules.LOCAL_TZ)
        form.on_date.data, form.at.data = local.date(), local.time()
    if form.validate_on_submit():
        try:
            rescheduling.move_session(
                current_user, sup_session, form.on_date.data, form.at.data, now()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The session is moved; its clients have been told."), "success")
            return redirect(url_for("sessions.process_detail", process_id=sup_session.process_id))
    movable = rescheduling.can_move(current_user, sup_session, now())
    status = 400 if form.errors else 200
    return _render(
        "sessions/session_move.html", sup_session=sup_session, form=form, movable=movable
    ), status


@bp.route("/processes/<int:process_id>/close", methods=["GET", "POST"])
@login_required
def close_process(process_id: int):
    """Close a process, after a page that says what closing gives back."""
    process = get_process(process_id)
    if not processes.can_close(current_user, process):
        abort(403)
    if not ConfirmActionForm().is_confirmed():
        if process.status != "active":
            flash(_("This process is already closed."), "danger")
            return redirect(url_for("sessions.process_detail", process_id=process_id))
        return confirmation_page(_close_confirmation(process))
    try:
        processes.close_process(current_user, process, now())
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("The process is closed and its unused sessions are free again."), "success")
    return redirect(url_for("sessions.process_detail", process_id=process_id))


def _close_confirmation(process: SupervisionProcess) -> Confirmation:
    c = processes.counts(process)
    return Confirmation(
        title=_("Close the process?"),
        what=ngettext(
            "The process ends: %(num)s session not yet planned goes back to the quota and "
            "the supervisor's capacity. No more sessions can be planned in it.",
            "The process ends: %(num)s sessions not yet planned go back to the quota and "
            "the supervisor's capacity. No more sessions can be planned in it.",
            c.unplanned,
        ),
        button=_("Yes, close the process"),
        back_url=url_for("sessions.process_detail", process_id=process.id),
        back_label=_("No, keep it open"),
        facts=[
            (_("Supervisor"), process.supervisor.name),
            (
                _("Sessions"),
                _(
                    "%(used)s used, %(planned)s planned of %(granted)s",
                    used=c.used,
                    planned=c.planned,
                    granted=c.granted,
                ),
            ),
        ],
    )


@bp.post("/processes/<int:process_id>/goals")
@login_required
def goals(process_id: int):
    process = get_process(process_id)
    if not processes.can_see_goals(current_user, process):
        abort(403)
    form = forms.GoalsForm()
    if form.validate_on_submit():
        services.set_goals(current_user, process, form.goals.data or "")
        db.session.commit()
        flash(_("The goals are saved."), "success")
        return redirect(url_for("sessions.process_detail", process_id=process_id))
    is_supervisor = processes.is_supervisor_of(current_user, process)
    return _process_page(process, is_supervisor, [], form)


@bp.post("/processes/<int:process_id>/practice")
@login_required
def practice(process_id: int):
    process = get_process(process_id)
    if not processes.is_supervisor_of(current_user, process):
        abort(403)
    form = forms.PracticeForm()
    if form.validate_on_submit():
        try:
            services.set_practice(
                current_user, process, form.midpoint_on.data, form.closing_on.data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The review dates are saved."), "success")
            return redirect(url_for("sessions.process_detail", process_id=process_id))
    return _process_page(process, True, [], forms.GoalsForm(obj=process), form)


@bp.get("/my-sessions")
@roles_required(Role.STAFF, Role.GUEST)
def mine():
    moment = now()
    coming = queries.client_sessions(current_user, True, moment)
    past = queries.client_sessions(current_user, False, moment)
    return _render(
        "sessions/my_sessions.html",
        coming=paginate(
            coming, page=request.args.get("coming", 1, type=int), per_page=50, error_out=False
        ),
        past=paginate(past, per_page=50, error_out=False),
        # Babel and url_for once per distinct value and page, not per cell
        when=Dates().datetime,
        process_url=link_maker("sessions.process_detail", "process_id"),
        cancel_url=link_maker("sessions.cancel", "session_id"),
    )


@bp.route("/my-sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@roles_required(Role.STAFF, Role.GUEST)
def cancel(session_id: int):
    sup_session = get_session(session_id, processes.is_client_of)
    form = forms.ConfirmForm()
    try:
        services.check_client_can_cancel(current_user, sup_session, now())
        if form.validate_on_submit():
            late = services.cancel_by_client(current_user, sup_session, now())
            db.session.commit()
            flash(_cancelled_message(late), "success")
            return redirect(url_for("sessions.mine"))
    except DomainError as error:
        show_domain_error(None, error)
        return redirect(url_for("sessions.mine"))
    late = services.cancellation_is_late(sup_session, now())
    return _render(
        "sessions/session_cancel.html",
        sup_session=sup_session,
        form=form,
        late=late,
        window=services.window_hours(),
        deadline=sup_session.starts_at - timedelta(hours=services.window_hours()),
    )


def _cancelled_message(late: bool) -> str:
    if late:
        return _("The session is cancelled. The cancellation was late, so it uses a session.")
    return _("The session is cancelled and goes back to your process to be planned again.")
