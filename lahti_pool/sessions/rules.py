"""Session rules (DOMAIN.md "Quota" and "Sessions, money and budget"). Pure.

A session holds one *share* of each client's quota: nothing, a reserved session or a
used one. The share follows from the session's status (and, at a held group session,
from whether the member attended); moving a session from one status to another is the
difference of the two shares, expressed as the quota operations of requests/rules.py.

* planned                                   → reserved
* held, client no-show, late cancellation   → used
* timely cancellation, cancelled by supervisor → nothing (back to the process)
* a held group session: members who attended → used; members marked absent → nothing.
  "A group session reserves and uses one session of each *attending* member's quota",
  so an absent member's session goes back to the process and can still be used.
* covision (peer group session without a paid supervisor) → nothing, always.
"""

import enum
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from lahti_pool.core.errors import N_, DomainError, InvalidTransition
from lahti_pool.requests.rules import QuotaOp
from lahti_pool.sessions.models import USING_STATUSES, ApprovalStatus, SessionStatus

LOCAL_TZ = ZoneInfo("Europe/Helsinki")
DEFAULT_WINDOW_HOURS = 24


class Share(enum.IntEnum):
    """What a session holds of one client's quota."""

    NONE = 0
    RESERVED = 1
    USED = 2


#: from share → to share: the quota operations, in order
_OPS: dict[tuple[Share, Share], tuple[QuotaOp, ...]] = {
    (Share.NONE, Share.RESERVED): (QuotaOp.PLAN,),
    (Share.NONE, Share.USED): (QuotaOp.PLAN, QuotaOp.USE),
    (Share.RESERVED, Share.NONE): (QuotaOp.UNPLAN,),
    (Share.RESERVED, Share.USED): (QuotaOp.USE,),
    (Share.USED, Share.RESERVED): (QuotaOp.UNUSE,),
    (Share.USED, Share.NONE): (QuotaOp.UNUSE, QuotaOp.UNPLAN),
}


def member_share(
    status: SessionStatus, is_covision: bool, is_group: bool, attended: bool | None
) -> Share:
    """One client's share of quota in a session (see the module docstring)."""
    if is_covision:
        return Share.NONE
    if status == SessionStatus.PLANNED:
        return Share.RESERVED
    if status == SessionStatus.HELD and is_group and attended is False:
        return Share.NONE
    if status in USING_STATUSES:
        return Share.USED
    return Share.NONE


def quota_ops(old: Share, new: Share) -> tuple[QuotaOp, ...]:
    """The quota operations that move one client's share from ``old`` to ``new``."""
    return _OPS.get((old, new), ())


def counts_against_grant(status: SessionStatus, is_covision: bool) -> bool:
    """Planned and used sessions of the supervisor count against the sessions granted."""
    return not is_covision and (status == SessionStatus.PLANNED or status in USING_STATUSES)


def check_within_grant(counted: int, granted: int) -> None:
    """One more session may be planned only while planned + used < granted."""
    if counted + 1 > granted:
        raise DomainError(
            N_("All %(granted)s granted sessions are already planned or used."),
            field="on_date",
            granted=granted,
        )


def default_duration(is_group: bool) -> int:
    """Individual sessions last 60 minutes, group sessions 90 (DOMAIN.md glossary)."""
    return 90 if is_group else 60


# --- Time ----------------------------------------------------------------------------


def local_to_utc(day: date, at: time, tz: ZoneInfo = LOCAL_TZ) -> datetime:
    """A local wall-clock date and time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_date(moment: datetime, tz: ZoneInfo = LOCAL_TZ) -> date:
    """The local (Helsinki) date of an aware datetime: the session's ``on_date``."""
    return moment.astimezone(tz).date()


def is_late_cancellation(starts_at: datetime, now: datetime, window_hours: int) -> bool:
    """A client's cancellation is late when less than ``window_hours`` before the start."""
    return starts_at - now < timedelta(hours=window_hours)


# --- Logging outcomes ----------------------------------------------------------------

LOGGABLE_OUTCOMES = (
    SessionStatus.HELD,
    SessionStatus.NO_SHOW,
    SessionStatus.LATE_CANCELLED,
    SessionStatus.CANCELLED,
    SessionStatus.CANCELLED_BY_SUPERVISOR,
)
COVISION_OUTCOMES = (SessionStatus.HELD, SessionStatus.CANCELLED)


def check_loggable(status: SessionStatus, approval: ApprovalStatus) -> None:
    """A planned session may be logged once; a logged one only when it was returned."""
    if approval == ApprovalStatus.APPROVED:
        raise InvalidTransition(N_("This session is approved and can no longer be changed."))
    if approval == ApprovalStatus.PENDING:
        raise InvalidTransition(
            N_("This session is already logged and waits for the administrator's approval.")
        )
    if approval == ApprovalStatus.NOT_LOGGED and status != SessionStatus.PLANNED:
        raise InvalidTransition(N_("This session can no longer be changed."))


def check_outcome(
    outcome: SessionStatus,
    is_covision: bool,
    starts_at: datetime,
    now: datetime,
    window_hours: int,
) -> None:
    """Refuse outcomes that cannot be true yet.

    A session cannot be held or missed before it starts, and a client's cancellation
    cannot be late while the session is still more than the window away.
    """
    allowed = COVISION_OUTCOMES if is_covision else LOGGABLE_OUTCOMES
    if outcome not in allowed:
        raise DomainError(N_("Choose one of the outcomes in the list."), field="outcome")
    if outcome in (SessionStatus.HELD, SessionStatus.NO_SHOW) and starts_at > now:
        raise DomainError(
            N_("The session has not started yet; it can only be cancelled."), field="outcome"
        )
    if outcome == SessionStatus.LATE_CANCELLED and not is_late_cancellation(
        starts_at, now, window_hours
    ):
        raise DomainError(
            N_(
                "The session is more than %(hours)s hours away, so a cancellation now is "
                "timely, not late."
            ),
            field="outcome",
            hours=window_hours,
        )


def check_attendance(outcome: SessionStatus, is_group: bool, attended: int) -> None:
    """A held group session records who came; at least one person did."""
    if is_group and outcome == SessionStatus.HELD and attended == 0:
        raise DomainError(
            N_("Mark who attended, or log the session as a no-show."), field="attendees"
        )


# --- Closing -------------------------------------------------------------------------


def check_closable(planned: int) -> None:
    """A process closes only when no planned session is left open."""
    if planned:
        raise InvalidTransition(
            N_(
                "Cancel the coming sessions and log the past ones before closing the "
                "process (%(n)s still planned)."
            ),
            n=planned,
        )


def unused_sessions(granted: int, planned: int, used: int) -> int:
    """Granted sessions neither planned nor used: released when the process closes."""
    return max(granted - planned - used, 0)


# --- Frozen terms ----------------------------------------------------------------------


def frozen_price(kind: str, price_individual_cents: int, price_group_cents: int) -> int:
    """The price per session an order freezes: the group price for a group, else the
    individual price (an on-duty booking is an individual session)."""
    return price_group_cents if kind == "group" else price_individual_cents


def frozen_vat(is_contracted: bool, agreement_vat: Decimal | None) -> Decimal:
    """The VAT an order freezes: the framework agreement's for a contracted supervisor;
    none for an internal one (a city employee) or a supervisor with no agreement."""
    if not is_contracted or agreement_vat is None:
        return Decimal(0)
    return agreement_vat
