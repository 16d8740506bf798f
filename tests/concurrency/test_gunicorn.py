"""Four gunicorn worker processes on 127.0.0.1, twenty people booking the same slot at once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests_support import PASSWORD, Browser
from tests_support import csrf_token as _token
from tests_support import gunicorn as serve_app

from lahti_pool.extensions import db
from lahti_pool.sessions.models import SessionStatus, SupervisionSession
from lahti_pool.slots.models import OnDutySlot, SlotStatus

PEOPLE = 20


@pytest.fixture
def gunicorn(app, database_url):
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789",
        "LAHTI_POOL_ENV": "development",
    }
    with serve_app(env, workers=4) as base:
        yield base


def test_parallel_http_bookings_across_worker_processes_book_the_slot_once(
    gunicorn, make_user, supervisor, school_year
):
    people = [make_user() for _ in range(PEOPLE)]
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    slot = OnDutySlot(
        supervisor_id=supervisor.id, starts_at=starts, on_date=starts.date(), mode="video"
    )
    db.session.add(slot)
    db.session.commit()
    slot_id = slot.id
    browsers = []
    for person in people:  # log everybody in first, so that the bookings race
        browser = Browser(gunicorn)
        browser.post(
            "/login",
            {
                "csrf_token": _token(browser.get("/login")),
                "email": person.email,
                "password": PASSWORD,
            },
        )
        browsers.append((browser, _token(browser.get(f"/slots/{slot_id}/book"))))
    barrier = threading.Barrier(PEOPLE)
    pages = []

    def book(browser, token):
        barrier.wait()
        pages.append(
            browser.post(
                f"/slots/{slot_id}/book",
                {"csrf_token": token, "answer_1": "a", "answer_2": "b", "answer_3": "c"},
            )
        )

    threads = [threading.Thread(target=book, args=pair) for pair in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(pages) == PEOPLE
    db.session.expire_all()
    slot = db.session.get(OnDutySlot, slot_id)
    assert slot.status == SlotStatus.BOOKED
    planned = db.session.scalar(
        select(func.count())
        .select_from(SupervisionSession)
        .where(
            SupervisionSession.starts_at == starts,
            SupervisionSession.status == SessionStatus.PLANNED,
        )
    )
    assert planned == 1  # one booking in the database, whoever won it
    assert slot.booked_by_id in {p.id for p in people}
