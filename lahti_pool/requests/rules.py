"""Quota and request-state rules (DOMAIN.md, "Quota" and "Requests and processes").

Pure: plain values in, values out, or a DomainError.

A person's quota for a school year is split into four counters:

* ``pending``  – sessions held for their open requests and granted-but-unplanned
  sessions of their processes, so that two requests can never promise more than
  the quota between them;
* ``reserved`` – planned sessions (and booked on-duty slots);
* ``used``     – held sessions, no-shows and late cancellations;
* ``available = quota − used − reserved − pending``.

Every change is one of the operations in ``QUOTA_OPS``: a table of counter
deltas per session. An operation is allowed exactly when no counter and not
``available`` would go below zero. The database layer builds its conditional
UPDATE from the same table, so the rule and the race-free SQL cannot drift apart.
"""

import enum
from dataclasses import dataclass, replace
from datetime import date

from lahti_pool.core.errors import N_, DomainError, InvalidTransition, QuotaExceeded

COUNTERS = ("pending", "reserved", "used")


class QuotaOp(enum.StrEnum):
    HOLD = "hold"  #: a request is submitted
    RELEASE = "release"  #: a request is withdrawn or declined, or a grant is smaller
    PLAN = "plan"  #: a granted session is planned
    UNPLAN = "unplan"  #: a planned session is cancelled in time, back to the process
    USE = "use"  #: a planned session is held, missed, or cancelled late
    UNUSE = "unuse"  #: a logged outcome is corrected back to planned
    BOOK = "book"  #: an on-duty slot is booked directly
    UNBOOK = "unbook"  #: a booked on-duty slot is cancelled in time


QUOTA_OPS: dict[QuotaOp, dict[str, int]] = {
    QuotaOp.HOLD: {"pending": +1},
    QuotaOp.RELEASE: {"pending": -1},
    QuotaOp.PLAN: {"pending": -1, "reserved": +1},
    QuotaOp.UNPLAN: {"reserved": -1, "pending": +1},
    QuotaOp.USE: {"reserved": -1, "used": +1},
    QuotaOp.UNUSE: {"used": -1, "reserved": +1},
    QuotaOp.BOOK: {"reserved": +1},
    QuotaOp.UNBOOK: {"reserved": -1},
}


@dataclass(frozen=True)
class QuotaState:
    quota: int
    pending: int = 0
    reserved: int = 0
    used: int = 0

    @property
    def available(self) -> int:
        return self.quota - self.used - self.reserved - self.pending

    @property
    def is_valid(self) -> bool:
        return min(self.pending, self.reserved, self.used, self.available) >= 0


def available_change(op: QuotaOp) -> int:
    """How much ``available`` moves per session under ``op``."""
    return -sum(QUOTA_OPS[op].values())


def apply_quota(state: QuotaState, op: QuotaOp, n: int = 1) -> QuotaState:
    """The state after ``op`` for ``n`` sessions, or QuotaExceeded if not allowed."""
    if n < 1:
        raise DomainError(N_("The number of sessions must be at least 1."), field="sessions")
    deltas = QUOTA_OPS[op]
    new = replace(state, **{c: getattr(state, c) + d * n for c, d in deltas.items()})
    if not new.is_valid:
        if new.available < 0:
            raise QuotaExceeded(
                N_("Only %(available)s sessions are left this school year; you asked for %(n)s."),
                field="sessions",
                available=state.available,
                n=n,
            )
        raise InvalidTransition(N_("There are no such sessions to change."))
    return new


def check_sessions_requested(n: int, available: int) -> None:
    """A request asks for at least one session and no more than are available."""
    if n < 1:
        raise DomainError(N_("Ask for at least one session."), field="sessions")
    if n > available:
        raise QuotaExceeded(
            N_("Only %(available)s sessions are left this school year; you asked for %(n)s."),
            field="sessions",
            available=available,
            n=n,
        )


def check_grant(granted: int, asked: int) -> None:
    """A process grants at least one session and no more than were asked."""
    if not 1 <= granted <= asked:
        raise DomainError(
            N_("Grant between 1 and %(asked)s sessions."), field="sessions", asked=asked
        )


# --- School years ---------------------------------------------------------------


def school_year_bounds(day: date, start_month: int = 8, start_day: int = 1) -> tuple[date, date]:
    """The first and last day of the school year that contains ``day``."""
    start = date(day.year, start_month, start_day)
    if day < start:
        start = date(day.year - 1, start_month, start_day)
    end = date(start.year + 1, start_month, start_day).toordinal() - 1
    return start, date.fromordinal(end)


def check_date_in_year(day: date, starts_on: date, ends_on: date, field: str) -> None:
    if not starts_on <= day <= ends_on:
        raise DomainError(
            N_("Choose a date between %(start)s and %(end)s (the school year)."),
            field=field,
            start=starts_on,
            end=ends_on,
        )


# --- Request states -------------------------------------------------------------


class RequestStatus(enum.StrEnum):
    SUBMITTED = "submitted"  #: waiting for matching
    MATCHED = "matched"  #: a supervisor is proposed, awaiting the administrator
    ACCEPTED = "accepted"  #: a process exists
    WAITLISTED = "waitlisted"  #: no capacity now; stays in the queue
    GROUP_OFFERED = "group_offered"  #: group supervision offered instead (Lahti fallback)
    WITHDRAWN = "withdrawn"  #: the requester took it back
    DECLINED = "declined"  #: the administrator turned it down


OPEN_STATUSES = frozenset(
    {
        RequestStatus.SUBMITTED,
        RequestStatus.MATCHED,
        RequestStatus.WAITLISTED,
        RequestStatus.GROUP_OFFERED,
    }
)

TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.SUBMITTED: frozenset(
        {
            RequestStatus.MATCHED,
            RequestStatus.WAITLISTED,
            RequestStatus.GROUP_OFFERED,
            RequestStatus.WITHDRAWN,
            RequestStatus.DECLINED,
        }
    ),
    RequestStatus.MATCHED: frozenset(
        {
            RequestStatus.ACCEPTED,
            RequestStatus.SUBMITTED,
            RequestStatus.WAITLISTED,
            RequestStatus.GROUP_OFFERED,
            RequestStatus.WITHDRAWN,
            RequestStatus.DECLINED,
        }
    ),
    RequestStatus.WAITLISTED: frozenset(
        {
            RequestStatus.MATCHED,
            RequestStatus.GROUP_OFFERED,
            RequestStatus.WITHDRAWN,
            RequestStatus.DECLINED,
        }
    ),
    RequestStatus.GROUP_OFFERED: frozenset(
        {
            RequestStatus.ACCEPTED,
            RequestStatus.WAITLISTED,
            RequestStatus.WITHDRAWN,
            RequestStatus.DECLINED,
        }
    ),
    RequestStatus.ACCEPTED: frozenset(),
    RequestStatus.WITHDRAWN: frozenset(),
    RequestStatus.DECLINED: frozenset(),
}


def check_transition(current: RequestStatus, new: RequestStatus) -> None:
    if new not in TRANSITIONS[current]:
        raise InvalidTransition(N_("This request can no longer be changed that way."))


# --- Groups ---------------------------------------------------------------------


def check_group_size(n_members: int, minimum: int, maximum: int) -> None:
    """A group has ``minimum``–``maximum`` members, the organiser included."""
    if not minimum <= n_members <= maximum:
        raise DomainError(
            N_("A group has %(min)s to %(max)s members including you; you named %(n)s colleagues."),
            field="members",
            min=minimum,
            max=maximum,
            n=n_members - 1,
        )
