"""Several members click "Register" for an event's last place at the same moment: exactly
one gets it, the others are put on the waiting list. Each thread has its own database
connection; runs on file SQLite and, with ``--db=postgresql``, on PostgreSQL.

The check between counting the places and taking one is slowed down on purpose, so that
every thread counts before any has registered; the negative control turns the event's
lock off and must then see the event overbooked, which shows the test can see the bug.
"""

import threading
import time

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import User
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.networks import events
from lahti_pool.networks.models import EventRegistration, NetworkEvent, RegistrationStatus

THREADS = 5


@pytest.fixture
def slow_count(monkeypatch):
    counted = events._registered_count

    def slow(event_id):
        n = counted(event_id)
        time.sleep(0.3)  # the others count meanwhile, unless the lock keeps them out
        return n

    monkeypatch.setattr(events, "_registered_count", slow)


def _race(app, event_id, person_ids) -> list[str]:
    barrier = threading.Barrier(len(person_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(person_id):
        with app.app_context():
            person = db.session.get(User, person_id)
            event = db.session.get(NetworkEvent, event_id)
            event.network  # noqa: B018 - loaded before the race, as a page would
            barrier.wait()
            try:
                row = events.register(person, event, utcnow())
                db.session.commit()
                with lock:
                    outcomes.append(row.status.value)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(pid,)) for pid in person_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _registered(event_id) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(EventRegistration)
        .where(
            EventRegistration.event_id == event_id,
            EventRegistration.status == RegistrationStatus.REGISTERED,
        )
    )


def test_concurrent_registrations_for_the_last_place_let_exactly_one_through(
    app, make_member, make_event, slow_count
):
    event = make_event(capacity=1)
    people = [make_member() for _ in range(THREADS)]
    event_id, person_ids = event.id, [p.id for p in people]
    db.session.remove()

    outcomes = _race(app, event_id, person_ids)

    assert sorted(outcomes) == ["registered"] + ["waiting"] * (THREADS - 1)
    assert _registered(event_id) == 1


def test_negative_control_without_the_lock_overbooks(
    app, make_member, make_event, slow_count, monkeypatch
):
    monkeypatch.setattr(events, "_lock", lambda event: None)
    event = make_event(capacity=1)
    people = [make_member() for _ in range(THREADS)]
    event_id, person_ids = event.id, [p.id for p in people]
    db.session.remove()

    _race(app, event_id, person_ids)

    assert _registered(event_id) > 1
