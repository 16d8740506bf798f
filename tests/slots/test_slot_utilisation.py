"""The administrator's utilisation figures: published, booked, held, unused."""

from datetime import UTC, datetime, time, timedelta

import pytest

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.sessions.models import SessionStatus, SupervisionSession
from lahti_pool.slots import queries as slot_queries
from lahti_pool.slots import services
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.rules import local_start, week_start

ANSWERS = {1: "a", 2: "b", 3: "c"}


@pytest.fixture
def weeks(ctx, make_user, supervisor, make_supervisor, school_year):
    """Slots over two past weeks and a coming one, in every state, for two supervisors."""
    other = make_supervisor(name="Olga Other")
    last_monday = week_start(utcnow().date()) - timedelta(weeks=1)
    two_ago = last_monday - timedelta(weeks=1)

    def slot(sup, day, hour=10, status=SlotStatus.OPEN):
        starts_at = local_start(day, time(hour))
        row = OnDutySlot(
            supervisor_id=sup.id,
            starts_at=starts_at,
            on_date=day,
            mode="video",
            duration_minutes=60,
            status=status,
        )
        db.session.add(row)
        db.session.flush()
        return row

    def book(row, outcome=None):
        # Booked a week before the slot; ``now`` is the service's clock.
        services.book_slot(make_user(), row, ANSWERS, row.starts_at - timedelta(days=7))
        if outcome is not None:
            db.session.get(SupervisionSession, row.session_id).status = outcome

    # Two weeks ago, X: one held, one no-show, one never booked (unused), one withdrawn.
    book(slot(supervisor, two_ago, 9), SessionStatus.HELD)
    book(slot(supervisor, two_ago, 11), SessionStatus.NO_SHOW)
    slot(supervisor, two_ago + timedelta(days=1))
    slot(supervisor, two_ago + timedelta(days=2), status=SlotStatus.WITHDRAWN)
    # Sunday of that week still counts in it; Monday is the next ISO week.
    book(slot(supervisor, two_ago + timedelta(days=6)), SessionStatus.HELD)
    # Last week, X: a held one; the other supervisor: a booked one never logged as held.
    book(slot(supervisor, last_monday), SessionStatus.HELD)
    book(slot(other, last_monday))
    # Coming week: booked and free slots are neither held nor unused yet.
    coming = last_monday + timedelta(weeks=2)
    book(slot(supervisor, coming))
    slot(supervisor, coming, 12)
    db.session.commit()
    return supervisor, other, two_ago, last_monday, coming


def test_utilisation_counts_by_iso_week_and_supervisor(weeks):
    x, other, two_ago, last_monday, coming = weeks

    rows, totals = slot_queries.slot_utilisation(
        two_ago, coming + timedelta(days=6), datetime.now(UTC)
    )

    figures = {
        (r.week_start, r.supervisor_id): (r.published, r.booked, r.held, r.unused) for r in rows
    }
    assert figures == {
        (two_ago, x.id): (4, 3, 2, 2),
        (last_monday, x.id): (1, 1, 1, 0),
        (last_monday, other.id): (1, 1, 0, 1),
        (coming, x.id): (2, 1, 0, 0),
    }
    assert (totals.published, totals.booked, totals.held, totals.unused) == (8, 6, 3, 3)
    assert rows[0].week_label == f"{two_ago.isocalendar()[0]}-W{two_ago.isocalendar()[1]:02d}"


def test_utilisation_for_one_supervisor_and_a_period(weeks):
    x, other, two_ago, last_monday, coming = weeks
    rows, totals = slot_queries.slot_utilisation(
        last_monday, last_monday + timedelta(days=6), datetime.now(UTC), other.id
    )
    assert [(r.supervisor_name, r.published, r.unused) for r in rows] == [("Olga Other", 1, 1)]
    assert totals.published == 1


def test_the_utilisation_page_is_an_accessible_table(client, admin, weeks):
    x, other, two_ago, last_monday, coming = weeks
    client.login(admin)
    page = client.get(
        f"/slots/utilisation?start={two_ago.isoformat()}&end={coming.isoformat()}"
    ).text
    assert '<caption id="utilisation-table-1">' in page
    assert '<th scope="col"' in page and '<th scope="row"' in page
    assert "Olga Other" in page
    assert ">8</td>" in page  # the published total
