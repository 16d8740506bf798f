"""The administrator's queue: run matching, review, accept or override, offer groups."""

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

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
from flask_babel import format_date, get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lahti_pool.accounts.models import Role
from lahti_pool.budget.labels import budget_warning_text, euros_texts
from lahti_pool.core.errors import DomainError
from lahti_pool.core.listing import FetchedPage, Memo, bounded_page, link_maker
from lahti_pool.core.permissions import roles_required
from lahti_pool.core.views import commit_created, show_domain_error
from lahti_pool.core.widgets import years_message
from lahti_pool.extensions import db
from lahti_pool.matching import offers, queue_rows, reports, services
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.forms import AcceptForm, FormGroupForm, PeriodForm, RunForm
from lahti_pool.matching.labels import ASSIGNMENT_LABELS, RULE_LABELS, reason_label
from lahti_pool.matching.models import GroupOffer, MatchingRun, ProposedAssignment
from lahti_pool.requests import labels as request_labels
from lahti_pool.requests.labels import LANGUAGE_LABELS
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.quota import school_year_for
from lahti_pool.supervisors.models import FrameworkAgreement, Supervisor

bp = Blueprint("matching", __name__, url_prefix="/admin/matching")


def today() -> date:
    return date.today()


#: many-to-one all the way: joined into the assignments' own query
_ASSIGNMENT_DETAILS = (
    joinedload(ProposedAssignment.request).joinedload(SupervisionRequest.requester),
    joinedload(ProposedAssignment.supervisor),
)


def _kind_texts() -> Memo:
    return Memo(lambda kind: str(request_labels.KIND_LABELS[kind]))


class _WaitingRow(NamedTuple):
    detail_url: str
    sent: str
    waiting: Markup
    requester: str
    kind: str
    members: int
    participating: int
    sessions: int
    language: str
    status: str


def _waiting_rows(rows: list[queue_rows.WaitingRow], now: datetime) -> list[_WaitingRow]:
    detail_url = link_maker("requests.detail", "request_id")
    days = Memo(format_date)
    # Translations are markup, as in templates (Jinja's i18n); only a number goes in.
    waited = Memo(lambda n: Markup(ngettext("%(num)s day", "%(num)s days", n)))  # nosec B704  # noqa: S704
    kinds = _kind_texts()
    languages = Memo(lambda code: str(LANGUAGE_LABELS.get(code, code)))
    statuses = Memo(request_labels.status_label)
    tz = get_timezone()  # format_date(r.created_at) is the date in the user's time zone
    return [
        _WaitingRow(
            detail_url(r.id),
            days[tz.normalize(r.created_at.astimezone(tz)).date()],
            waited[(now - r.created_at).days],
            r.requester_name,
            kinds[r.kind],
            r.members,
            r.participating,
            r.sessions_requested,
            languages[r.language],
            statuses[r.status],
        )
        for r in rows
    ]


class _AssignmentRow(NamedTuple):
    id: int
    requester: str
    kind: str
    sessions: Markup
    supervisor: str | None  #: None when nobody could take the request
    supervisor_id: int | None
    rule: str
    grounds: list[Markup]
    cost: str
    open: bool  #: proposed or unmatched: still to decide
    status: str
    accept_url: str
    choose_url: str


def _assignment_rows(rows: list[queue_rows.AssignmentRow]) -> list[_AssignmentRow]:
    accept_url = link_maker("matching.accept", "assignment_id")
    choose_url = link_maker("matching.assignment", "assignment_id")
    kinds = _kind_texts()
    sessions = Memo(
        lambda n: Markup(ngettext("%(num)s session", "%(num)s sessions", n))  # nosec B704  # noqa: S704
    )
    rules = Memo(lambda rule: str(RULE_LABELS.get(rule, rule)))
    reasons = Memo(reason_label)
    statuses = Memo(lambda status: str(ASSIGNMENT_LABELS.get(status, status)))
    costs = euros_texts()
    # As the template's _(): the translation is markup, the values are escaped into it.
    passed_over = Markup(_("#%(rank)s %(name)s passed over: %(reason)s"))  # nosec B704  # noqa: S704
    counted = Markup("%s: %s")  # grounds are JSON; a missing key shows as nothing
    result = []
    for a in rows:
        if a.supervisor_id is not None:
            grounds = [
                passed_over
                % {
                    "rank": g.get("rank", ""),
                    "name": g.get("name", ""),
                    "reason": reasons[g.get("reason", "")],
                }
                for g in a.grounds
            ]
        else:
            grounds = [
                counted % (reasons[g.get("reason", "")], g.get("count", "")) for g in a.grounds
            ]
        result.append(
            _AssignmentRow(
                a.id,
                a.requester_name,
                kinds[a.kind],
                sessions[a.sessions_requested],
                a.supervisor_name if a.supervisor_id is not None else None,
                a.supervisor_id,
                rules[a.rule] if a.supervisor_id is not None else "",
                grounds,
                costs(a.cost_cents) if a.supervisor_id is not None else "",
                a.status in ("proposed", "unmatched"),
                statuses[a.status],
                accept_url(a.id),
                choose_url(a.id),
            )
        )
    return result


class _Group(NamedTuple):
    number: int
    supervisor: str
    names: str
    status: str  #: the first member's assignment status
    status_text: str


def _groups(rows: list[queue_rows.AssignmentRow]) -> list[_Group]:
    """The proposed groups in order of number (rows come sorted by it)."""
    groups = []
    for number, members in itertools.groupby(rows, key=lambda a: a.group_no):
        members = list(members)
        first = members[0]
        groups.append(
            _Group(
                number,
                first.supervisor_name,
                ", ".join(m.requester_name for m in members),
                first.status,
                str(ASSIGNMENT_LABELS.get(first.status, first.status)),
            )
        )
    return groups


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
    now = datetime.now(UTC)
    waiting = FetchedPage(
        page=waiting_page,
        per_page=50,
        error_out=False,
        fetch=lambda limit, offset: queue_rows.waiting_rows(year, limit, offset),
        total=lambda: queue_rows.waiting_count(year),
    )
    run = queue_rows.latest_run()
    assignments = groups = None
    if run is not None:
        assignments = FetchedPage(
            page=proposed_page,
            per_page=50,
            error_out=False,
            fetch=lambda limit, offset: queue_rows.assignment_rows(run.id, limit, offset),
            total=lambda: queue_rows.assignment_count(run.id),
        )
        groups = _groups(queue_rows.group_rows(run.id))
    offers = queue_rows.open_offers()
    return render_template(
        "matching/queue.html",
        year=year,
        waiting=waiting,
        waiting_rows=_waiting_rows(waiting.items, now),
        run=run,
        assignments=assignments,
        assignment_rows=_assignment_rows(assignments.items) if assignments else [],
        groups=groups,
        form=form,
        offers=offers,
        min_members=current_app.config["GROUP_MIN_MEMBERS"],
        waiting_page=waiting_page,
        proposed_page=proposed_page,
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
        for warning in getattr(result, "warnings", []):
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
