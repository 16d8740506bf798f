"""The administrator's queue: run matching, review, accept or override, offer groups."""

from datetime import UTC, date, datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lahti_pool.accounts.models import Role
from lahti_pool.budget.cost_keys import request_organisations
from lahti_pool.budget.costkey import shares_from_form
from lahti_pool.budget.labels import budget_warning_text
from lahti_pool.core.confirm import ConfirmActionForm, confirmation_page
from lahti_pool.core.errors import DomainError
from lahti_pool.core.exports import csv_download
from lahti_pool.core.listing import FetchedPage, bounded_page
from lahti_pool.core.models import utcnow
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import commit_created, show_domain_error
from lahti_pool.core.widgets import years_message
from lahti_pool.extensions import db
from lahti_pool.matching import offers, queue_page, reports, runs, services
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.forms import AcceptForm, FormGroupForm, PeriodForm, RunForm
from lahti_pool.matching.models import GroupOffer, MatchingRun, ProposedAssignment
from lahti_pool.matching.override_choices import override_choices
from lahti_pool.requests.quota import school_year_for
from lahti_pool.supervisors.models import FrameworkAgreement

bp = Blueprint("matching", __name__, url_prefix="/admin/matching")


def today() -> date:
    return date.today()


#: many-to-one all the way: joined into the assignments' own query
@bp.get("/")
@roles_required(Role.ADMIN)
def queue():
    """The waiting requests and the latest proposal, fifty rows a page each."""
    year = school_year_for(today())
    commit_created()
    form = RunForm()
    rule = db.session.scalar(  # of the latest framework agreement
        select(FrameworkAgreement.allocation_rule).order_by(FrameworkAgreement.id.desc()).limit(1)
    )
    if rule is not None and request.method == "GET":
        form.policy.data = rule.value
    waiting_page = request.args.get("waiting", 1, type=int)
    proposed_page = request.args.get("proposed", 1, type=int)
    return render_template(
        "matching/queue.html",
        year=year,
        form=form,
        min_members=current_app.config["GROUP_MIN_MEMBERS"],
        waiting_page=waiting_page,
        proposed_page=proposed_page,
        **queue_page.context(year, waiting_page, proposed_page, datetime.now(UTC)),
    )


@bp.get("/assignments/<int:assignment_id>")
@roles_required(Role.ADMIN)
def assignment(assignment_id: int):
    """One proposed assignment: accept it or choose another supervisor, with a reason."""
    row = db.get_or_404(ProposedAssignment, assignment_id, options=queue_page.ASSIGNMENT_DETAILS)
    return _assignment_page(row, AcceptForm(formdata=None))


def _assignment_page(row: ProposedAssignment, form: AcceptForm, shares=None):
    eligible, others = override_choices(row, today())
    return render_template(
        "matching/assignment.html",
        a=row,
        form=form,
        # a group across organisations chooses its cost key (budget/costkey.py)
        organisations=request_organisations(row.request),
        shares=request.form if shares is None else shares,
        chosen=form.supervisor.data or row.supervisor_id,
        eligible=eligible,
        others=others,
    )


@bp.post("/run")
@roles_required(Role.ADMIN)
def run():
    form = RunForm()
    if form.validate():
        year = school_year_for(today())
        try:
            job = runs.request_run(current_user, year, Policy(form.policy.data), utcnow())
        except DomainError as error:
            show_domain_error(None, error)
            return redirect(url_for("matching.queue"))
        db.session.commit()
        if not runs.start(current_app._get_current_object(), job.id):
            flash(_("Matching has started. Its progress and result appear on this page."), "info")
            return redirect(url_for("matching.queue"))
        db.session.refresh(job)  # computed in this request (MATCHING_RUNNER "inline")
        if job.run is not None:  # else it failed, which the queue page says
            flash(
                _(
                    "Matching proposes a supervisor for %(served)s of %(total)s waiting requests.",
                    served=job.run.stats["served"],
                    total=job.run.stats["total"],
                ),
                "success",
            )
    return redirect(url_for("matching.queue"))


def _act(action, success: str):
    try:
        result = action()
    except DomainError as error:
        show_domain_error(None, error)
    else:
        db.session.commit()
        flash(success if isinstance(success, str) else success(result), "success")
        for warning in getattr(result, "warnings", []):
            flash(budget_warning_text(warning), "warning")
    return redirect(url_for("matching.queue"))


#: the fields of the services' refusals → the form's fields (the budget guard's own name)
_ACCEPT_FIELDS = {
    "supervisor": "supervisor",
    "reason": "reason",
    "sessions": "sessions",
    "override_reason": "budget_override_reason",
    "cost_key": "cost_key",
    "shares": "cost_key",
}


@bp.post("/assignments/<int:assignment_id>/accept")
@roles_required(Role.ADMIN)
def accept(assignment_id: int):
    assignment = db.get_or_404(ProposedAssignment, assignment_id)
    form = AcceptForm()
    if not form.validate():
        return _assignment_page(assignment, form)
    try:
        key = form.cost_key.data or "attendance"
        shares = shares_from_form(request.form) if key == "shares" else {}
        opened = services.accept_assignment(
            current_user,
            assignment,
            today(),
            supervisor_id=form.supervisor.data or None,
            reason=form.reason.data or "",
            sessions=form.sessions.data,
            budget_override_reason=form.budget_override_reason.data or "",
            cost_key=key,
            cost_shares=shares,
        )
    except DomainError as error:
        if error.field not in _ACCEPT_FIELDS:  # stale or already accepted: the queue says
            show_domain_error(None, error)
            return redirect(url_for("matching.queue"))
        # a refused choice or reason: what the administrator typed stays beside the message
        error.field = _ACCEPT_FIELDS[error.field]
        show_domain_error(form, error)
        assignment = db.get_or_404(ProposedAssignment, assignment_id)
        return _assignment_page(assignment, form)
    db.session.commit()
    flash(_("The assignment is accepted and both sides are notified."), "success")
    for warning in opened.warnings:
        flash(budget_warning_text(warning), "warning")
    return redirect(url_for("matching.queue"))


@bp.route("/runs/<int:run_id>/accept-all", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def accept_all(run_id: int):
    """Accept every open assignment of a proposal, after a page that lists them."""
    run = db.get_or_404(MatchingRun, run_id)
    if not ConfirmActionForm().is_confirmed():
        confirmation = queue_page.accept_all_confirmation(run)
        if confirmation is None:
            flash(_("There is nothing left to accept in this proposal."), "danger")
            return redirect(url_for("matching.queue"))
        return confirmation_page(confirmation)
    return _act(
        lambda: services.accept_all(current_user, run, today()),
        lambda n: ngettext("%(num)s assignment accepted.", "%(num)s assignments accepted.", n),
    )


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


@bp.get("/capacity")
@roles_required(Role.ADMIN)
def capacity_view():
    year = school_year_for(today())
    commit_created()
    page = bounded_page(request.args.get("page", 1, type=int), 50)
    # Supervisors, their loads and users (names), and the year's processes (orders).
    report = reports.capacity_report(year, page)  # cached
    return render_template(
        "matching/capacity.html",
        year=year,
        rows=report["rows"],
        totals=report["totals"],
        # As the template's _(): the translation is markup, the name is escaped into it.
        utilisation_of=Markup(_("Utilisation of %(name)s")),  # nosec B704  # noqa: S704
        page=FetchedPage(  # the cached report holds this page's rows and the total
            page=page,
            per_page=50,
            error_out=False,
            fetch=lambda _limit, _offset: (report["rows"], report["count"]),
        ),
    )


@bp.get("/orders.csv")
@roles_required(Role.ADMIN)
def orders_csv():
    form = PeriodForm(request.args)
    if not form.validate() or form.end.data < form.start.data:
        far = years_message() in form.start.errors + form.end.errors
        flash(
            years_message()
            if far
            else _("Choose a period: a start date and an end date on or after it."),
            "danger",
        )
        return redirect(url_for("matching.capacity_view"))
    # the day after the period (the form keeps it far from date.max, where none exists)
    end_exclusive = min(form.end.data, date.max - timedelta(days=1)) + timedelta(days=1)
    rows = reports.order_rows(form.start.data, end_exclusive)
    filename = f"orders_{form.start.data}_{form.end.data}.csv"
    return csv_download([reports.ORDER_COLUMNS, *rows], filename)
