"""Quota arithmetic (DOMAIN.md "Quota"): pure rules, then the SQL that enforces them."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lahti_pool.core.errors import DomainError, QuotaExceeded
from lahti_pool.requests.rules import (
    QUOTA_OPS,
    QuotaOp,
    QuotaState,
    apply_quota,
    check_grant,
    check_sessions_requested,
    school_year_bounds,
)

ops = st.lists(st.tuples(st.sampled_from(list(QuotaOp)), st.integers(1, 12)), max_size=40)


def _apply_or_keep(state, op, n):
    try:
        return apply_quota(state, op, n), True
    except DomainError:
        return state, False


@given(quota=st.integers(0, 20), sequence=ops)
def test_no_sequence_of_operations_takes_anyone_below_zero(quota, sequence):
    state = QuotaState(quota)
    for op, n in sequence:
        state, _ = _apply_or_keep(state, op, n)
        assert state.is_valid
        assert state.available == state.quota - state.used - state.reserved - state.pending
        assert state.pending + state.reserved + state.used <= state.quota


@given(quota=st.integers(0, 20), sequence=ops)
def test_an_operation_is_refused_exactly_when_it_would_break_a_counter(quota, sequence):
    state = QuotaState(quota)
    for op, n in sequence:
        expected = {c: getattr(state, c) + d * n for c, d in QUOTA_OPS[op].items()}
        would_be = replace(state, **expected)
        new, allowed = _apply_or_keep(state, op, n)
        assert allowed == would_be.is_valid
        assert new == (would_be if allowed else state)
        state = new


@given(quota=st.integers(1, 20), n=st.integers(1, 20))
def test_a_request_can_hold_at_most_what_is_available(quota, n):
    state = QuotaState(quota)
    if n <= quota:
        assert apply_quota(state, QuotaOp.HOLD, n).available == quota - n
    else:
        with pytest.raises(QuotaExceeded):
            apply_quota(state, QuotaOp.HOLD, n)


def test_session_lifecycle_reserves_on_planning_and_uses_when_held():
    state = apply_quota(QuotaState(10), QuotaOp.HOLD, 4)  # request for 4
    state = apply_quota(state, QuotaOp.PLAN)  # first session planned
    assert (state.pending, state.reserved, state.used, state.available) == (3, 1, 0, 6)
    state = apply_quota(state, QuotaOp.USE)  # held (or no-show, or late cancellation)
    assert (state.pending, state.reserved, state.used, state.available) == (3, 0, 1, 6)
    state = apply_quota(state, QuotaOp.PLAN)
    state = apply_quota(state, QuotaOp.UNPLAN)  # cancelled in time: back to the process
    assert (state.pending, state.reserved, state.used) == (3, 0, 1)
    state = apply_quota(state, QuotaOp.RELEASE, 3)  # process closed early
    assert state.available == 9


def test_on_duty_booking_reserves_directly_and_frees_on_timely_cancellation():
    state = apply_quota(QuotaState(1), QuotaOp.BOOK)
    assert state.available == 0
    with pytest.raises(QuotaExceeded):
        apply_quota(state, QuotaOp.BOOK)
    assert apply_quota(state, QuotaOp.UNBOOK).available == 1


@pytest.mark.parametrize("n", [0, -1])
def test_zero_or_negative_sessions_are_refused(n):
    with pytest.raises(DomainError):
        apply_quota(QuotaState(10), QuotaOp.HOLD, n)
    with pytest.raises(DomainError):
        check_sessions_requested(n, 10)


def test_grant_is_between_one_and_what_was_asked():
    check_grant(3, 5)
    check_grant(5, 5)
    for granted in (0, 6):
        with pytest.raises(DomainError):
            check_grant(granted, 5)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        ("2026-08-01", "2026-08-01", "2027-07-31"),
        ("2026-07-31", "2025-08-01", "2026-07-31"),
        ("2027-02-28", "2026-08-01", "2027-07-31"),
        ("2028-02-29", "2027-08-01", "2028-07-31"),
    ],
)
def test_school_year_runs_from_august_to_july(day, start, end):
    from datetime import date

    assert school_year_bounds(date.fromisoformat(day)) == (
        date.fromisoformat(start),
        date.fromisoformat(end),
    )


# --- The database layer must agree with the rules, operation by operation --------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(quota=st.integers(0, 12), sequence=ops)
def test_database_counters_follow_the_rules_exactly(staff, school_year, quota, sequence):
    from lahti_pool.extensions import db
    from lahti_pool.requests.quota import account_for, change_quota

    account = account_for(staff.id, school_year)
    account.quota, account.pending, account.reserved, account.used = quota, 0, 0, 0
    db.session.commit()
    state = QuotaState(quota)
    for op, n in sequence:
        state, allowed = _apply_or_keep(state, op, n)
        try:
            change_quota(account, op, n)
            db_allowed = True
        except DomainError:
            db_allowed = False
        assert db_allowed == allowed, (op, n)
        assert account.state() == state
    db.session.rollback()
