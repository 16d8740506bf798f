"""Proof under contention: 50 threads released together by a barrier, 20 rounds.

Each round races for the last unit of something; exactly one thread may win and an
invariant query must find nothing overbooked. The negative control runs the same race
with the guard replaced by read-check-write (a test-only switch) and must see
overbooking, which shows the test can see the bug. Runs on file SQLite and, with
``--db=postgresql``, on PostgreSQL.
"""

import threading

import pytest
import unsafe_guards
from sqlalchemy import func, select

from lahti_pool.accounts.models import User
from lahti_pool.core.errors import DomainError
from lahti_pool.extensions import db
from lahti_pool.requests import quota
from lahti_pool.requests.models import QuotaAccount, SchoolYear
from lahti_pool.requests.quota import account_for
from lahti_pool.requests.rules import QuotaOp
from lahti_pool.supervisors import capacity
from lahti_pool.supervisors.models import Supervisor, SupervisorLoad

THREADS = 50
ROUNDS = 20


def race(app, attempt) -> list[bool]:
    """Run ``attempt()`` in THREADS threads released at once; True per success."""
    barrier = threading.Barrier(THREADS)
    results: list[bool] = []
    lock = threading.Lock()

    def run():
        with app.app_context():
            barrier.wait()
            try:
                attempt()
                db.session.commit()
                ok = True
            except DomainError:
                db.session.rollback()
                ok = False
            finally:
                db.session.remove()
            with lock:
                results.append(ok)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == THREADS
    return results


@pytest.fixture
def unsafe(monkeypatch):
    """The guards replaced by read-check-write (tests/concurrency/unsafe.py)."""
    unsafe_guards.switch_on(monkeypatch)


def _last_quota_session_rounds(app, staff, school_year):
    """Per round, how many threads got the person's last session."""
    wins = []
    staff_id, year_id = staff.id, school_year.id
    for _ in range(ROUNDS):
        account = account_for(staff_id, db.session.get(SchoolYear, year_id))
        account.pending, account.reserved, account.used = account.quota - 1, 0, 0
        db.session.commit()
        account_id = account.id
        db.session.remove()

        def attempt(account_id=account_id):
            quota.change_quota(db.session.get(QuotaAccount, account_id), QuotaOp.HOLD, 1)

        wins.append(sum(race(app, attempt)))
        account = db.session.get(QuotaAccount, account_id)
        assert account.state().is_valid  # the invariant: nobody below zero
    return wins


def test_last_quota_session_goes_to_exactly_one_of_fifty(app, staff, school_year):
    assert _last_quota_session_rounds(app, staff, school_year) == [1] * ROUNDS


def test_negative_control_quota_without_the_guard_overbooks(app, staff, school_year, unsafe):
    wins = _last_quota_session_rounds(app, staff, school_year)
    assert max(wins) > 1, f"the race was never lost: the test could not see the bug {wins}"


def _last_capacity_rounds(app, make_supervisor, school_year):
    sup_id = make_supervisor(capacity_sessions=10, capacity_processes=100).id
    year_id = school_year.id
    wins = []
    for _ in range(ROUNDS):
        capacity.ensure_load(sup_id, db.session.get(SchoolYear, year_id))
        load = db.session.scalar(
            select(SupervisorLoad).where(SupervisorLoad.supervisor_id == sup_id)
        )
        load.sessions_granted = 9
        db.session.get(Supervisor, sup_id).active_processes = 0
        db.session.commit()
        db.session.remove()

        def attempt():
            capacity.reserve(sup_id, db.session.get(SchoolYear, year_id), 1)

        wins.append(sum(race(app, attempt)))
        granted = db.session.scalar(
            select(SupervisorLoad.sessions_granted).where(SupervisorLoad.supervisor_id == sup_id)
        )
    return wins, granted


def test_last_supervisor_session_goes_to_exactly_one_of_fifty(app, make_supervisor, school_year):
    wins, granted = _last_capacity_rounds(app, make_supervisor, school_year)
    assert wins == [1] * ROUNDS and granted == 10  # the invariant: granted = 9 + one winner


def test_negative_control_capacity_without_the_guard_overbooks(
    app, make_supervisor, school_year, unsafe
):
    wins, _ = _last_capacity_rounds(app, make_supervisor, school_year)
    assert max(wins) > 1, f"the race was never lost: the test could not see the bug {wins}"


def _last_slot_rounds(app, make_user, supervisor, today):
    """Per round, how many of 50 staff members got the same on-duty slot."""
    from datetime import UTC, datetime, timedelta

    from lahti_pool.sessions.models import SessionStatus, SupervisionSession
    from lahti_pool.slots.models import OnDutySlot
    from lahti_pool.slots.services import book_slot

    people = [make_user().id for _ in range(THREADS)]
    answers = {1: "a", 2: "b", 3: "c"}
    sup_id = supervisor.id
    wins = []
    for n in range(ROUNDS):
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2, hours=n)
        slot = OnDutySlot(
            supervisor_id=sup_id, starts_at=starts, on_date=starts.date(), mode="video"
        )
        db.session.add(slot)
        db.session.commit()
        slot_id = slot.id
        db.session.remove()
        queue = list(people)
        lock = threading.Lock()

        def attempt(slot_id=slot_id, queue=queue, lock=lock):
            with lock:
                user_id = queue.pop()
            actor = db.session.get(User, user_id)
            book_slot(actor, db.session.get(OnDutySlot, slot_id), answers, datetime.now(UTC))

        wins.append(sum(race(app, attempt)))
        booked = db.session.scalar(
            select(func.count())
            .select_from(SupervisionSession)
            .join(SupervisionSession.process)
            .where(
                SupervisionSession.starts_at == starts,
                SupervisionSession.status == SessionStatus.PLANNED,
            )
        )
        assert booked == wins[-1]  # the invariant query counts what was handed out
    return wins


def test_last_on_duty_slot_goes_to_exactly_one_of_fifty(app, make_user, supervisor, today):
    assert _last_slot_rounds(app, make_user, supervisor, today) == [1] * ROUNDS


def test_negative_control_slot_without_the_guard_is_booked_twice(
    app, make_user, supervisor, today, monkeypatch
):
    unsafe_guards.switch_on(monkeypatch, capacity_reserve=unsafe_guards.reserve_nothing)
    if db.engine.dialect.name == "sqlite":
        pytest.skip(
            "SQLite takes its one write lock at the booking's first write (opening its process), "
            "before the claim, so read-check-write cannot interleave there; this control "
            "runs in the PostgreSQL pass"
        )
    wins = _last_slot_rounds(app, make_user, supervisor, today)
    assert max(wins) > 1, f"the race was never lost: the test could not see the bug {wins}"


def _last_budget_rounds(app, make_user, supervisor, today):
    """Per round, how many of 50 bookings of 50 different slots fit a budget with room for one."""
    from datetime import UTC, datetime, timedelta

    from lahti_pool.budget.models import Budget
    from lahti_pool.budget.queries import totals
    from lahti_pool.slots.models import OnDutySlot
    from lahti_pool.slots.services import book_slot

    people = [make_user().id for _ in range(THREADS)]
    price = supervisor.price_individual_cents
    sup_id = supervisor.id
    budget = Budget(fiscal_year=0, division_id=None, amount_cents=0)
    db.session.add(budget)
    db.session.commit()
    wins = []
    for n in range(ROUNDS):
        starts = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
            days=3 + n
        )
        year = starts.date().year
        budget = db.session.scalar(select(Budget))
        budget.fiscal_year = year
        budget.amount_cents = totals(year)[None].used_cents + price  # room for one more
        slots = [
            OnDutySlot(
                supervisor_id=sup_id,
                starts_at=starts + timedelta(minutes=5 * i),
                on_date=starts.date(),
                mode="video",
            )
            for i in range(THREADS)
        ]
        db.session.add_all(slots)
        db.session.commit()
        queue = list(zip(people, [s.id for s in slots], strict=True))
        db.session.remove()
        lock = threading.Lock()

        def attempt(queue=queue, lock=lock):
            with lock:
                user_id, slot_id = queue.pop()
            actor = db.session.get(User, user_id)
            book_slot(
                actor,
                db.session.get(OnDutySlot, slot_id),
                {1: "a", 2: "b", 3: "c"},
                datetime.now(UTC),
            )

        wins.append(sum(race(app, attempt)))
        line = totals(year)[None]
        if wins[-1] == 1:
            assert line.used_cents <= line.budget_cents  # the invariant: not over the budget
    return wins


def test_budget_at_its_last_session_admits_exactly_one_of_fifty(
    app, make_user, make_supervisor, today
):
    sup = make_supervisor(capacity_sessions=10_000, capacity_processes=100)
    assert _last_budget_rounds(app, make_user, sup, today) == [1] * ROUNDS


def test_negative_control_budget_without_the_guard_overspends(
    app, make_user, make_supervisor, today, unsafe
):
    sup = make_supervisor(capacity_sessions=10_000, capacity_processes=100)
    wins = _last_budget_rounds(app, make_user, sup, today)
    assert max(wins) > 1, f"the race was never lost: the test could not see the bug {wins}"
