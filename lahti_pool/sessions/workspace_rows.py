"""The supervisor's workspace as its page shows it: each row's texts and links made once.

At city scale a supervisor's year holds hundreds of processes and sessions, so the rows
are plain tuples built from a few queries (sessions/queries.py), not ORM objects.
"""

from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _

from lahti_pool.core.listing import Dates, RowPage, link_maker
from lahti_pool.requests.labels import KIND_LABELS
from lahti_pool.requests.models import SchoolYear
from lahti_pool.sessions import queries
from lahti_pool.sessions.models import ApprovalStatus, ProcessStatus
from lahti_pool.sessions.queries import ShortList


class LogLine(NamedTuple):
    """A session to log on the workspace, its texts made once (``workspace``)."""

    url: str
    when: str
    who: str
    returned: bool


class ComingLine(NamedTuple):
    when: str
    minutes: str
    is_covision: bool
    url: str  #: the process's page
    who: str


class ProcessLine(NamedTuple):
    url: str
    who: str
    kind: str  #: its label
    granted: int
    planned: int
    used: int
    accepted: str
    plan_url: str | None  #: for an active process only


def supervisor_page(user, year: SchoolYear | None, moment: datetime) -> dict:
    """The workspace's three lists for ``user``: the year's processes (a page), the
    sessions to log and the coming sessions."""
    page = None
    if year is not None:
        query = queries.supervisor_processes(user, year.id)
        page = RowPage(select=query, per_page=50, error_out=False)
    to_log, coming = queries.workspace_sessions(user, moment)
    processes = page.items if page else []
    shown = {p.id for p in processes} | {s.process_id for s in to_log.items + coming.items}
    names = queries.client_names(shown)
    figures = queries.session_counts(processes)
    dates = Dates()
    log_url = link_maker("sessions.log", "session_id")
    process_url = link_maker("sessions.process_detail", "process_id")
    to_log = ShortList(
        [
            LogLine(
                log_url(s.id),
                dates.datetime(s.starts_at),
                names.get(s.process_id, ""),
                s.approval == ApprovalStatus.RETURNED,
            )
            for s in to_log.items
        ],
        to_log.total,
    )
    minutes = _("%(n)s min")
    coming = ShortList(
        [
            ComingLine(
                dates.datetime(s.starts_at),
                minutes % {"n": s.duration_minutes},
                s.is_covision,
                process_url(s.process_id),
                names.get(s.process_id, ""),
            )
            for s in coming.items
        ],
        coming.total,
    )
    if page is not None:
        plan_url = link_maker("sessions.plan", "process_id")
        kinds = {kind: str(label) for kind, label in KIND_LABELS.items()}
        page.items = [
            ProcessLine(
                process_url(p.id),
                names.get(p.id, ""),
                kinds.get(p.kind, p.kind),
                p.sessions_granted,
                figures[p.id].planned,
                figures[p.id].used,
                dates.date(p.accepted_at),
                plan_url(p.id) if p.status == ProcessStatus.ACTIVE else None,
            )
            for p in processes
        ]
    return {"page": page, "to_log": to_log, "coming": coming}
