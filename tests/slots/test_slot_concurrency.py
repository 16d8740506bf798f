"""Two people click "Book" on the same slot at the same moment: exactly one gets it.

Runs against the suite's database: a file SQLite database by default, the throwaway
PostgreSQL cluster with ``--db=postgresql``.
"""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from lahti_pool.accounts.models import User
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.requests.models import QuotaAccount, SupervisionRequest
from lahti_pool.requests.quota import account_for, school_year_for
from lahti_pool.sessions.models import SessionStatus, SupervisionProcess, SupervisionSession
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.rules import local_date
from lahti_pool.supervisors.capacity import capacities

THREADS = 6


def test_concurrent_bookings_of_one_slot_let_exactly_one_through(
    app, make_user, supervisor, school_year
):
    starts_at = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    slot = OnDutySlot(
        supervisor_id=supervisor.id,
        starts_at=starts_at,
        on_date=local_date(starts_at),
        mode="video",
        duration_minutes=60,
    )
    db.session.add(slot)
    people = [make_user() for _ in range(THREADS)]
    year = school_year_for(slot.on_date)
    for person in people:  # the rows exist, as they would for anyone who has logged in
        account_for(person.id, year)
    db.session.commit()
    slot_id, person_ids, supervisor_id = slot.id, [p.id for p in people], supervisor.id
    db.session.remove()

    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def attempt(person_id: int) -> None:
        with app.app_context():
            person = db.session.get(User, person_id)
            target = db.session.get(OnDutySlot, slot_id)
            barrier.wait()
            try:
                services.book_slot(person, target, {1: "a", 2: "b", 3: "c"}, utcnow())
                db.session.commit()
                outcomes.append("ok")
            except services.SlotUnavailable:
                db.session.rollback()
                outcomes.append("taken")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(pid,)) for pid in person_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["ok"] + ["taken"] * (THREADS - 1)
    slot = db.session.get(OnDutySlot, slot_id)
    assert slot.status == SlotStatus.BOOKED and slot.booked_by_id in person_ids
    # Everything the losers started was rolled back.
    assert db.session.scalar(select(func.sum(QuotaAccount.reserved))) == 1
    assert db.session.scalar(select(func.count()).select_from(SupervisionRequest)) == 1
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 1
    assert (
        capacities(school_year_for(slot.on_date), [supervisor_id])[supervisor_id].sessions_granted
        == 1
    )
    # The invariant: no slot has more than one live session behind it.
    booked_twice = db.session.execute(
        select(OnDutySlot.id)
        .join(SupervisionProcess, SupervisionProcess.supervisor_id == OnDutySlot.supervisor_id)
        .join(
            SupervisionSession,
            (SupervisionSession.process_id == SupervisionProcess.id)
            & (SupervisionSession.starts_at == OnDutySlot.starts_at),
        )
        .where(
            SupervisionProcess.rule == "on_duty",
            SupervisionSession.status == SessionStatus.PLANNED,
        )
        .group_by(OnDutySlot.id)
        .having(func.count(SupervisionSession.id) > 1)
    ).all()
    assert booked_twice == []
