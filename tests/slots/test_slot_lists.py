"""Slot pages at scale: the same queries for more data, long lists paged."""

import re
from datetime import time, timedelta

import pytest
from tests_support import queries_for

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.slots import queries as slot_queries
from lahti_pool.slots.models import OnDutySlot, SlotStatus, SlotWatch
from lahti_pool.slots.rules import local_date, local_start, week_start


def body_rows(page: str) -> int:
    return len(re.findall(r"<tr>", page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]))


def slot_at(supervisor, starts_at, **kwargs) -> OnDutySlot:
    slot = OnDutySlot(
        supervisor_id=supervisor.id,
        starts_at=starts_at,
        on_date=local_date(starts_at),
        mode="video",
        duration_minutes=60,
        **kwargs,
    )
    db.session.add(slot)
    return slot


@pytest.fixture
def grow(ctx, staff, make_supervisor, school_year):
    """``grow(n)``: n more supervisors, each with free, booked, past and held-for slots,
    and ``staff`` waiting for each of them."""

    def factory(n: int) -> None:
        for _ in range(n):
            sup = make_supervisor()
            base = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
            for hour in range(3):
                slot_at(sup, base + timedelta(hours=hour))
            slot_at(sup, base + timedelta(hours=4), status=SlotStatus.BOOKED, booked_by_id=staff.id)
            slot_at(sup, base - timedelta(days=4), status=SlotStatus.BOOKED, booked_by_id=staff.id)
            slot_at(
                sup,
                base + timedelta(hours=5),
                offered_to_id=staff.id,
                offer_expires_at=utcnow() + timedelta(hours=1),
            )
            db.session.add(SlotWatch(user_id=staff.id, supervisor_id=sup.id))
        db.session.commit()

    return factory


@pytest.mark.parametrize(
    "who, url",
    [
        ("staff", "/slots/"),
        ("staff", "/slots/mine"),
        ("admin", "/slots/utilisation"),
        ("admin", "/slots/manage?supervisor={supervisor}"),
        ("supervisor", "/slots/manage"),
    ],
)
def test_slot_pages_need_the_same_queries_for_ten_times_the_data(
    client, grow, staff, admin, supervisor, who, url
):
    user = {"staff": staff, "admin": admin, "supervisor": supervisor.user}[who]
    url = url.format(supervisor=supervisor.id)
    client.login(user)

    hours = iter(range(1000))

    def own_slots(n):
        base = (utcnow() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        for _ in range(n):
            starts_at = base + timedelta(hours=next(hours))
            slot_at(supervisor, starts_at, status=SlotStatus.BOOKED, booked_by_id=staff.id)
        db.session.commit()

    grow(2)
    own_slots(2)
    few = queries_for(client, url)
    grow(20)
    own_slots(20)
    assert queries_for(client, url) == few


def test_utilisation_rows_are_paged_with_the_totals_of_all(client, admin, supervisor):
    monday = week_start(local_date(utcnow())) - timedelta(weeks=60)
    for week in range(51):
        slot_at(supervisor, local_start(monday + timedelta(weeks=week), time(10)))
    db.session.commit()
    last = monday + timedelta(weeks=51)
    client.login(admin)
    url = f"/slots/utilisation?start={monday.isoformat()}&end={last.isoformat()}"

    first, second = client.get(url).text, client.get(url + "&page=2").text

    assert body_rows(first) == 50 and body_rows(second) == 1
    for page in (first, second):
        assert re.search(r"<tfoot><tr>\s*<th[^>]*>Total</th>\s*<td[^>]*>51</td>", page)
    assert f"start={monday.isoformat()}" in first.split('aria-label="Pages"', 1)[1]
    rows, totals = slot_queries.slot_utilisation(monday, last, utcnow())
    assert len(rows) == 51 and totals.published == totals.unused == 51
    query = slot_queries.utilisation_query(monday, last, utcnow())
    rows, n, totals = slot_queries.utilisation_page(query, 50, 100)  # past the end
    assert (rows, n, totals.published) == ([], 51, 51)
    later = slot_queries.utilisation_query(
        last + timedelta(days=1), last + timedelta(days=9), utcnow()
    )
    rows, n, totals = slot_queries.utilisation_page(later, 50, 0)  # an empty period
    assert (rows, n, totals.published) == ([], 0, 0)
