"""The administrator's queue: run matching, review, accept or override, offer groups."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lahti_pool.accounts.models import Role
from lahti_pool.budget.labels import budget_warning_text
from lahti_pool.core.errors import DomainError
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import commit_created, show_domain_error
from lahti_pool.extensions import db
from lahti_pool.matching import reports, services
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.forms import AcceptForm, PeriodForm, RunForm
from lahti_pool.matching.inputs import waiting_requests_query
from lahti_pool.matching.models import MatchingRun, ProposedAssignment, RunStatus
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.quota import school_year_for
from lahti_pool.sessions.models import GroupOffer, GroupOfferMember, OfferStatus
from lahti_pool.supervisors.models import FrameworkAgreement, Supervisor

bp = Blueprint("matching", __name__, url_prefix="/admin/matching")


def today() -> date:
    return date.today()


def _latest_run() -> MatchingRun | None:
    return db.session.scalar(
        select(MatchingRun)
        .where(MatchingRun.status == RunStatus.PROPOSED)
        .order_by(MatchingRun.id.desc())
        .limit(1)
    )


def _assignments(run: MatchingRun):
    return select(ProposedAssignment).where(ProposedAssignment.run_id == run.id)


#: many-to-one all the way: joined into the assignments' own query
_ASSIGNMENT_DETAILS = (
    joinedload(ProposedAssignment.request).joinedload(SupervisionRequest.requester),
    joinedload(ProposedAssignment.supervisor),
)


@bp.get("/")
@roles_required(Role.ADMIN)
def queue():
    """The waiting requests and the latest proposal, fifty rows a page each."""
    year = school_year_for(today())
    commit_created()
    form = RunForm()
    agreement = db.session.scalar(
        select(FrameworkAgreement).order_by(FrameworkAgreement.id.desc()).limit(1)
    )
    if agreement is not None and request.method == "GET":
        form.policy.data = agreement.allocation_rule.value
    waiting = db.paginate(
        waiting_requests_query(year),
        page=request.args.get("waiting", 1, type=int),
        per_page=50,
        error_out=False,
    )
    run = _latest_run()
    assignments = group_rows = None
    if run is not None:
        assignments = db.paginate(
            _assignments(run)
            .where(ProposedAssignment.group_no.is_(None))
            .options(*_ASSIGNMENT_DETAILS)
            .order_by(ProposedAssignment.id),
            page=request.args.get("proposed", 1, type=int),
            per_page=50,
            error_out=False,
        )
        group_rows = db.session.scalars(
            _assignments(run)
            .where(ProposedAssignment.group_no.is_not(None))
            .options(*_ASSIGNMENT_DETAILS)
            .order_by(ProposedAssignment.group_no, ProposedAssignment.id)
        ).all()
    offers = (
        db.session.scalars(
            select(GroupOffer)
            .where(GroupOffer.status == OfferStatus.OPEN)
            .options(
                joinedload(GroupOffer.supervisor),
                joinedload(GroupOffer.members)
                .joinedload(GroupOfferMember.request)
                .joinedload(SupervisionRequest.requester),
            )
        )
        .unique()
        .all()
    )  # one query: a few open offers of a few members each
    return render_template(
        "matching/queue.html",
        year=year,
        waiting=waiting,
        run=run,
        assignments=assignments,
        group_rows=group_rows,
        form=form,
        offers=offers,
        now=datetime.now(UTC),
        min_members=current_app.config["GROUP_MIN_MEMBERS"],
    )


@bp.get("/assignments/<int:assignment_id>")
@roles_required(Role.ADMIN)
def assignment(assignment_id: int):
    """One proposed assignment: accept it or choose another supervisor, with a reason."""
    row = db.get_or_404(ProposedAssignment, assignment_id, options=_ASSIGNMENT_DETAILS)
    supervisors = db.session.scalars(
        select(Supervisor).where(Supervisor.active).order_by(Supervisor.rank, Supervisor.id)
    ).all()
    return render_template(
        "matching/assignment.html",
        a=row,
        supervisors=supervisors,
    )


@bp.post("/run")
@roles_required(Role.ADMIN)
def run():
    form = RunForm()
    if form.validate():
        year = school_year_for(today())
        run = services.run_matching(current_user, year, Policy(form.policy.data), today())
        db.session.commit()
        flash(
            _(
                "Matching proposes a supervisor for %(served)s of %(total)s waiting requests.",
                served=run.stats["served"],
                total=run.stats["total"],
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
        for warning in getattr(result, "budget_warnings", []):
            flash(budget_warning_text(warning), "warning")
    return redirect(url_for("matching.queue"))


@bp.post("/assignments/<int:assignment_id>/accept")
@roles_required(Role.ADMIN)
def accept(assignment_id: int):
    assignment = db.get_or_404(ProposedAssignment, assignment_id)
    form = AcceptForm()
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("matching.queue"))
    return _act(
        lambda: services.accept_assignment(
            current_user,
            assignment,
            today(),
            supervisor_id=form.supervisor.data or None,
            reason=form.reason.data or "",
            sessions=form.sessions.data,
            budget_override_reason=form.budget_override_reason.data or "",
        ),
        _("The assignment is accepted and both sides are notified."),
    )


@bp.post("/runs/<int:run_id>/accept-all")
@roles_required(Role.ADMIN)
def accept_all(run_id: int):
    run = db.get_or_404(MatchingRun, run_id)
    return _act(
        lambda: services.accept_all(current_user, run, today()),
        lambda n: _("%(n)s assignments accepted.", n=n),
    )


@bp.post("/runs/<int:run_id>/groups/<int:group_no>/offer")
@roles_required(Role.ADMIN)
def offer_group(run_id: int, group_no: int):
    run = db.get_or_404(MatchingRun, run_id)
    return _act(
        lambda: services.offer_group(current_user, run, group_no),
        _("The group is offered; the staff members answer on their request pages."),
    )


@bp.post("/offers/<int:offer_id>/form")
@roles_required(Role.ADMIN)
def form_group(offer_id: int):
    offer = db.get_or_404(GroupOffer, offer_id)
    return _act(
        lambda: services.form_group(current_user, offer, current_app.config["GROUP_MIN_MEMBERS"]),
        _("The group is formed and its supervisor notified."),
    )


@bp.get("/capacity")
@roles_required(Role.ADMIN)
def capacity_view():
    year = school_year_for(today())
    commit_created()
    report = reports.capacity_report(year, request.args.get("page", 1, type=int))
    return render_template("matching/capacity.html", year=year, **report)


@bp.get("/orders.csv")
@roles_required(Role.ADMIN)
def orders_csv():
    form = PeriodForm(request.args)
    if not form.validate() or form.end.data < form.start.data:
        flash(_("Choose a period: a start date and an end date on or after it."), "danger")
        return redirect(url_for("matching.capacity_view"))
    rows = reports.order_rows(form.start.data, form.end.data + timedelta(days=1))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(reports.ORDER_COLUMNS)
    writer.writerows(rows)
    filename = f"orders_{form.start.data}_{form.end.data}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
