"""The administrator's queue as its page shows it: each row's texts and links made once."""

import itertools
from datetime import datetime
from typing import NamedTuple

from flask import url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_timezone,
    ngettext,
)
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from lahti_pool.budget.labels import euros_texts
from lahti_pool.core.confirm import Confirmation
from lahti_pool.core.listing import FetchedPage, Memo, link_maker
from lahti_pool.matching import queue_rows, runs
from lahti_pool.matching.labels import (
    ASSIGNMENT_LABELS,
    JOB_STEP_LABELS,
    RULE_LABELS,
    SOLVER_STATUS_LABELS,
    STAGE_LABELS,
    reason_label,
)
from lahti_pool.matching.models import AssignmentStatus, ProposedAssignment
from lahti_pool.requests import labels as request_labels
from lahti_pool.requests.labels import LANGUAGE_LABELS
from lahti_pool.requests.models import SupervisionRequest

ASSIGNMENT_DETAILS = (
    joinedload(ProposedAssignment.request).joinedload(SupervisionRequest.requester),
    joinedload(ProposedAssignment.supervisor),
)


class StageLine(NamedTuple):
    label: str
    value: str
    bound: str
    result: str


#: stages whose value the engine stores negated (it minimises): served and wishes kept
_MAXIMISED = ("serve", "wish")


def _figure(name: str, value: float) -> str:
    if name == "cost":
        return euros_texts()(round(value))
    if name == "balanced":
        return format_decimal(value, format="#,##0.###")
    return format_decimal(round(-value if name in _MAXIMISED else value))


def stage_lines(stats: dict) -> list[StageLine]:
    """Each stage of a run as the queue page shows it: its value on the proposal, the best bound
    that holds for it, and whether the bound meets it (proven) or how far apart they are."""
    lines = []
    for stage in stats.get("stages", ()):
        name, bound, gap = stage["name"], stage["bound"], stage["gap"]
        if bound is None:
            bound_text = _("no bound")
        elif name in _MAXIMISED:
            bound_text = _("at most %(figure)s", figure=_figure(name, bound))
        else:
            bound_text = _("at least %(figure)s", figure=_figure(name, bound))
        if stage["proven"]:
            result = _("proven")
        elif gap is None:
            result = _("not proven")
        else:
            result = _("not proven; gap %(gap)s", gap=format_percent(gap, "#,##0.0 %"))
        lines.append(
            StageLine(
                str(STAGE_LABELS.get(name, name)), _figure(name, stage["value"]), bound_text, result
            )
        )
    return lines


def solver_status(stats: dict) -> str:
    status = stats.get("status", "")
    return str(SOLVER_STATUS_LABELS.get(status, status))


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


def waiting_lines(rows: list[queue_rows.WaitingRow], now: datetime) -> list[_WaitingRow]:
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


def assignment_lines(rows: list[queue_rows.AssignmentRow]) -> list[_AssignmentRow]:
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


def group_lines(rows: list[queue_rows.AssignmentRow]) -> list[_Group]:
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


def context(year, waiting_page: int, proposed_page: int, now: datetime) -> dict:
    """What the queue page shows: the year's waiting requests, the latest run (its
    proposal and groups, fifty rows a page), the latest matching job and the open offers."""
    waiting = FetchedPage(
        page=waiting_page,
        per_page=50,
        error_out=False,
        fetch=lambda limit, offset: queue_rows.waiting_rows(year, limit, offset),
        total=lambda: queue_rows.waiting_count(year),
    )
    run = queue_rows.latest_run()
    job = runs.latest_job()
    assignments = groups = None
    if run is not None:
        assignments = FetchedPage(
            page=proposed_page,
            per_page=50,
            error_out=False,
            fetch=lambda limit, offset: queue_rows.assignment_rows(run.id, limit, offset),
            total=lambda: queue_rows.assignment_count(run.id),
        )
        groups = group_lines(queue_rows.group_rows(run.id))
    return {
        "waiting": waiting,
        "waiting_rows": waiting_lines(waiting.items, now),
        "run": run,
        "job": job,
        "stage_rows": stage_lines(run.stats) if run is not None else [],
        "solver_status": solver_status(run.stats) if run is not None else "",
        "job_step": JOB_STEP_LABELS.get(job.step, job.step) if job else "",
        "assignments": assignments,
        "assignment_rows": assignment_lines(assignments.items) if assignments else [],
        "groups": groups,
        "offers": queue_rows.open_offers(),
    }


#: the confirmation lists at most this many of the assignments it accepts by name
CONFIRM_LISTED = 50


def accept_all_confirmation(run) -> Confirmation | None:
    """What *accept all* will do: each open individual assignment with its supervisor;
    None when nothing is left to accept."""
    open_rows = [
        a for a in run.assignments if a.status == AssignmentStatus.PROPOSED and a.group_no is None
    ]
    if not open_rows:
        return None
    items = [
        _(
            "%(client)s with %(supervisor)s",
            client=a.request.requester.name,
            supervisor=a.supervisor.name,
        )
        for a in open_rows[:CONFIRM_LISTED]
    ]
    if len(open_rows) > CONFIRM_LISTED:
        rest = len(open_rows) - CONFIRM_LISTED
        items.append(ngettext("and %(num)s more", "and %(num)s more", rest))
    return Confirmation(
        title=_("Accept all proposed assignments?"),
        what=ngettext(
            "%(num)s request is accepted with its proposed supervisor: its process opens, "
            "the prices are frozen, capacity and budget are reserved, and the staff member "
            "and the supervisor are told.",
            "%(num)s requests are accepted with their proposed supervisors: each process "
            "opens, the prices are frozen, capacity and budget are reserved, and the staff "
            "members and the supervisors are told.",
            len(open_rows),
        ),
        button=_("Yes, accept all"),
        back_url=url_for("matching.queue"),
        back_label=_("No, back to matching"),
        facts=[(_("Proposal"), format_datetime(run.created_at, "short"))],
        items=items,
    )
