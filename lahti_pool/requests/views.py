"""The staff side of requests, and the administrator's overview of them."""

from datetime import date
from typing import NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from lahti_pool.accounts.models import Role
from lahti_pool.core.confirm import ConfirmActionForm, Confirmation, confirmation_page
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import commit_created, show_domain_error
from lahti_pool.extensions import db
from lahti_pool.feedback import services as feedback_services
from lahti_pool.guests import membership
from lahti_pool.matching import offers
from lahti_pool.requests import queries, services, team_orders
from lahti_pool.requests.forms import GroupRequestForm, ReasonForm, RequestForm, TeamRequestForm
from lahti_pool.requests.models import (
    PreQuestion,
    SupervisionRequest,
)
from lahti_pool.requests.quota import account_for, school_year_for
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.slots import services as slot_services
from lahti_pool.supervisors.models import Supervisor

bp = Blueprint("requests", __name__)


def today() -> date:
    return date.today()


def get_request(request_id: int) -> SupervisionRequest:
    """The request if the current user may see it.

    :raises 404: no such request
    :raises 403: the user is neither its requester, a member, nor the administrator
    """
    sup_request = db.get_or_404(SupervisionRequest, request_id)
    if not sup_request.can_view(current_user):
        abort(403)
    return sup_request


def _prepare(form: RequestForm) -> list[PreQuestion]:
    """Fill the choices that come from the database, and the pre-question labels."""
    years = services.open_school_years(today())
    form.school_year.choices = [SelectChoice(y.id, y.label) for y in years]
    if request.method == "GET":
        form.school_year.data = years[0].id
        form.wanted_from.data = today()
    supervisors = db.session.scalars(
        select(Supervisor).where(Supervisor.active).options(selectinload(Supervisor.user))
    ).all()
    form.preferred_supervisor.choices = [SelectChoice(0, _("No preference"))] + [
        SelectChoice(s.id, s.name) for s in sorted(supervisors, key=lambda s: s.name)
    ]
    chosen = request.args.get("supervisor", type=int)
    if request.method == "GET" and chosen in {s.id for s in supervisors}:
        form.preferred_supervisor.data = chosen  # "Request this supervisor" on a profile
    locale = str(get_locale())
    questions = list(db.session.scalars(select(PreQuestion).order_by(PreQuestion.position)))
    for q in questions:
        getattr(form, f"answer_{q.position}").label.text = q.text(locale)
    return questions


def _submit(form: RequestForm, submit, template: str):
    questions = _prepare(form)
    waiting = None  #: the message and link when a request is already waiting
    if form.validate_on_submit():
        try:
            sup_request = submit(current_user, form.as_input(), today(), str(get_locale()))
        except services.OpenRequestExists as error:
            db.session.rollback()  # nothing of the second request is kept
            waiting = Waiting(
                error.message, url_for("requests.detail", request_id=error.request_id)
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your request has been sent."), "success")
            return redirect(url_for("requests.detail", request_id=sup_request.id))
    quota = None  # a guest organisation's official has no city quota
    if current_user.has_role(Role.STAFF):
        quota = account_for(current_user.id, school_year_for(today())).state()
        commit_created()
    return render_template(template, form=form, questions=questions, quota=quota, waiting=waiting)


class Waiting(NamedTuple):
    """Why a request was not sent: another one waits (``_submit``)."""

    message: str
    url: str  #: the waiting request's page


@bp.get("/dashboard")
@roles_required(Role.STAFF)
def dashboard():
    year = school_year_for(today())
    quota = account_for(current_user.id, year).state()
    commit_created()
    mine = queries.dashboard_requests(current_user)
    invitations = [r for r in mine if r.can_decline_membership(current_user)]
    held = min(quota.pending, queries.held_for_open_requests(current_user, year.id))
    return render_template(
        "requests/dashboard.html",
        year=year,
        quota=quota,
        held=held,
        requests=mine,
        invitations=invitations,
        feedback=feedback_services.open_invitations(current_user, today()),
        # no Book links for somebody with no session left (the booking would be refused)
        next_slots=slot_services.next_free_slots(current_user) if quota.available > 0 else [],
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required(Role.STAFF)
def new_individual():
    return _submit(RequestForm(), services.submit_individual_request, "requests/request_new.html")


@bp.route("/requests/new/group", methods=["GET", "POST"])
@roles_required(Role.STAFF, Role.GUEST)
def new_group():
    form = GroupRequestForm()
    form.organisations.choices = [
        SelectChoice(o.id, o.name) for o in membership.active_organisations()
    ]
    return _submit(form, services.submit_group_request, "requests/request_new_group.html")


@bp.route("/requests/new/team", methods=["GET", "POST"])
@login_required
def new_team():
    """A unit manager orders group supervision for members of their unit."""
    if not current_user.is_unit_manager:
        abort(403)
    return _submit(
        TeamRequestForm(), team_orders.submit_team_request, "requests/request_new_team.html"
    )


@bp.get("/requests/<int:request_id>")
@login_required
def detail(request_id: int):
    sup_request = get_request(request_id)
    return render_template(
        "requests/request_detail.html",
        r=sup_request,
        form=ReasonForm(),
        organisations=membership.group_organisations(sup_request.id),
    )


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int):
    sup_request = get_request(request_id)
    form = ReasonForm()
    if sup_request.can_withdraw(current_user) and not form.validate():
        # The reason stays on the form with its message; nothing is changed.
        page = render_template("requests/request_detail.html", r=sup_request, form=form)
        return page, 400
    try:
        services.withdraw_request(current_user, sup_request, form.reason.data or "")
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("Your request is withdrawn and its sessions are free again."), "success")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/decline", methods=["GET", "POST"])
@login_required
def decline(request_id: int):
    """Decline a group invitation, after a page that says what it means."""
    sup_request = get_request(request_id)
    if not ConfirmActionForm().is_confirmed():
        if not sup_request.can_decline_membership(current_user):
            flash(_("You have no open invitation to this group."), "danger")
            return redirect(url_for("requests.dashboard"))
        return confirmation_page(
            Confirmation(
                title=_("Decline the invitation?"),
                what=ngettext(
                    "You leave the group “%(group)s”: the %(num)s session held for you goes "
                    "back to your quota, and %(organiser)s is told. Only a new invitation "
                    "brings you back.",
                    "You leave the group “%(group)s”: the %(num)s sessions held for you go "
                    "back to your quota, and %(organiser)s is told. Only a new invitation "
                    "brings you back.",
                    sup_request.sessions_requested,
                    group=sup_request.group_name,
                    organiser=sup_request.requester.name,
                ),
                button=_("Yes, decline the invitation"),
                back_url=url_for("requests.detail", request_id=request_id),
                back_label=_("No, keep the invitation"),
                facts=[
                    (_("Group"), sup_request.group_name or ""),
                    (_("Organiser"), sup_request.requester.name),
                ],
            )
        )
    try:
        services.decline_group_membership(current_user, sup_request)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(_("You have declined the group invitation."), "success")
    return redirect(url_for("requests.dashboard"))


@bp.post("/requests/<int:request_id>/offer")
@login_required
def answer_offer(request_id: int):
    sup_request = get_request(request_id)
    accept = request.form.get("answer") == "accept"
    try:
        offers.answer_group_offer(current_user, sup_request, accept)
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        if accept:
            flash(_("Thank you. You will be told when the group is formed."), "success")
        else:
            flash(_("You declined the group; your request is back in the queue."), "success")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.get("/admin/requests")
@roles_required(Role.ADMIN)
def admin_overview():
    status = request.args.get("status", "")
    page = queries.overview_page(status)
    return render_template(
        "requests/admin_overview.html", page=page, status=status, statuses=list(RequestStatus)
    )
