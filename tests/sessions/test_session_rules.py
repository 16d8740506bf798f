"""Pure session rules: quota shares, late cancellation, outcomes, grant, closing."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from lahti_pool.core.errors import DomainError, InvalidTransition
from lahti_pool.requests.rules import QuotaOp
from lahti_pool.sessions import rules
from lahti_pool.sessions.models import ApprovalStatus, SessionStatus
from lahti_pool.sessions.rules import Share

S = SessionStatus


@pytest.mark.parametrize(
    ("status", "is_group", "attended", "share"),
    [
        (S.PLANNED, False, None, Share.RESERVED),
        (S.HELD, False, True, Share.USED),
        (S.NO_SHOW, False, False, Share.USED),
        (S.LATE_CANCELLED, False, False, Share.USED),
        (S.CANCELLED, False, None, Share.NONE),
        (S.CANCELLED_BY_SUPERVISOR, False, None, Share.NONE),
        (S.HELD, True, True, Share.USED),
        (S.HELD, True, False, Share.NONE),  # absent from a held group session: freed
        (S.NO_SHOW, True, False, Share.USED),
        (S.PLANNED, True, None, Share.RESERVED),
    ],
)
def test_member_share_follows_the_outcome(status, is_group, attended, share):
    assert rules.member_share(status, False, is_group, attended) == share


@pytest.mark.parametrize("status", list(SessionStatus))
def test_covision_never_holds_quota(status):
    assert rules.member_share(status, True, True, True) == Share.NONE


@pytest.mark.parametrize(
    ("old", "new", "ops"),
    [
        (Share.NONE, Share.RESERVED, (QuotaOp.PLAN,)),
        (Share.RESERVED, Share.USED, (QuotaOp.USE,)),
        (Share.RESERVED, Share.NONE, (QuotaOp.UNPLAN,)),
        (Share.USED, Share.NONE, (QuotaOp.UNUSE, QuotaOp.UNPLAN)),
        (Share.USED, Share.RESERVED, (QuotaOp.UNUSE,)),
        (Share.NONE, Share.USED, (QuotaOp.PLAN, QuotaOp.USE)),
        (Share.USED, Share.USED, ()),
    ],
)
def test_quota_ops_move_between_shares(old, new, ops):
    assert rules.quota_ops(old, new) == ops


START = datetime(2026, 12, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours_before", "late"), [(48, False), (24, False), (23.99, True), (1, True), (-1, True)]
)
def test_cancellation_inside_the_window_is_late(hours_before, late):
    now = START - timedelta(hours=hours_before)
    assert rules.is_late_cancellation(START, now, 24) is late


def test_the_window_is_configurable():
    assert rules.is_late_cancellation(START, START - timedelta(hours=30), 48)
    assert not rules.is_late_cancellation(START, START - timedelta(hours=30), 24)


@pytest.mark.parametrize("outcome", [S.HELD, S.NO_SHOW])
def test_a_future_session_cannot_be_held_or_missed(outcome):
    with pytest.raises(DomainError, match="not started"):
        rules.check_outcome(outcome, False, START, START - timedelta(minutes=1), 24)
    rules.check_outcome(outcome, False, START, START, 24)


def test_a_late_cancellation_must_be_inside_the_window():
    with pytest.raises(DomainError, match="timely, not late"):
        rules.check_outcome(S.LATE_CANCELLED, False, START, START - timedelta(days=3), 24)
    rules.check_outcome(S.LATE_CANCELLED, False, START, START - timedelta(hours=2), 24)


def test_covision_is_held_or_cancelled_only():
    with pytest.raises(DomainError, match="outcomes in the list"):
        rules.check_outcome(S.NO_SHOW, True, START, START + timedelta(hours=2), 24)
    rules.check_outcome(S.CANCELLED, True, START, START - timedelta(days=2), 24)


def test_planned_cannot_be_logged_as_an_outcome():
    with pytest.raises(DomainError):
        rules.check_outcome(S.PLANNED, False, START, START, 24)


@pytest.mark.parametrize(
    ("status", "approval", "ok"),
    [
        (S.PLANNED, ApprovalStatus.NOT_LOGGED, True),
        (S.HELD, ApprovalStatus.RETURNED, True),
        (S.HELD, ApprovalStatus.PENDING, False),
        (S.HELD, ApprovalStatus.APPROVED, False),
        (S.CANCELLED, ApprovalStatus.NOT_LOGGED, False),
    ],
)
def test_only_planned_or_returned_sessions_are_logged(status, approval, ok):
    if ok:
        rules.check_loggable(status, approval)
    else:
        with pytest.raises(InvalidTransition):
            rules.check_loggable(status, approval)


def test_planning_beyond_the_grant_is_refused():
    rules.check_within_grant(3, 4)
    with pytest.raises(DomainError, match="All 4 granted sessions"):
        rules.check_within_grant(4, 4)


def test_counts_against_grant():
    assert rules.counts_against_grant(S.PLANNED, False)
    assert rules.counts_against_grant(S.LATE_CANCELLED, False)
    assert not rules.counts_against_grant(S.CANCELLED, False)
    assert not rules.counts_against_grant(S.HELD, True)


def test_a_held_group_session_needs_an_attendee():
    with pytest.raises(DomainError, match="Mark who attended"):
        rules.check_attendance(S.HELD, True, 0)
    rules.check_attendance(S.HELD, False, 0)
    rules.check_attendance(S.NO_SHOW, True, 0)


def test_closing_needs_no_planned_sessions_and_releases_the_rest():
    with pytest.raises(InvalidTransition, match="2 still planned"):
        rules.check_closable(2)
    rules.check_closable(0)
    assert rules.unused_sessions(10, 2, 3) == 5
    assert rules.unused_sessions(2, 0, 3) == 0


def test_default_durations():
    assert rules.default_duration(False) == 60
    assert rules.default_duration(True) == 90


def test_local_time_is_helsinki_and_stored_as_utc():
    winter = rules.local_to_utc(date(2026, 12, 1), time(10, 0))
    summer = rules.local_to_utc(date(2027, 6, 1), time(10, 0))
    assert winter == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert summer == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
    # Just after local midnight is still the previous day in UTC; on_date is local.
    late = rules.local_to_utc(date(2026, 12, 1), time(0, 30))
    assert late.date() == date(2026, 11, 30)
    assert rules.local_date(late) == date(2026, 12, 1)
