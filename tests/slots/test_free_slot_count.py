"""The slot browser's total: ``count_free_slots`` counts what ``free_slots_query`` lists.

``count_free_slots`` re-implements the query's rules in Python over a cached count per
supervisor (core/versions.py), so it is compared with the rows of the query for every
user and filter of one scenario that has each rule in it, with absolute numbers worked
out by hand beside, and again after committed changes that the cache must follow.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import User
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Unit
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.rules import local_date
from lahti_pool.slots.services import SlotFilters, count_free_slots, free_slots_query
from lahti_pool.supervisors.models import Supervisor

#: 12:15:30 in Helsinki (UTC+3); the seconds on purpose: the count works by the minute
NOW = datetime(2026, 5, 4, 9, 15, 30, tzinfo=UTC)
#: Helsinki days
D1, D2, D3, D4 = (date(2026, 5, day) for day in (4, 5, 6, 7))
LIVE = NOW + timedelta(hours=1)  #: an offer still held
LAPSED = NOW - timedelta(hours=2)  #: an offer that has expired (not yet ended)
NO_FILTER = SlotFilters()


@dataclass
class World:
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  #: those who browse
    sups: dict[str, Supervisor] = field(default_factory=dict)
    slots: dict[str, OnDutySlot] = field(default_factory=dict)

    def names(self, ids) -> set[str]:
        by_id = {slot.id: name for name, slot in self.slots.items()}
        return {by_id[i] for i in ids}


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def world(ctx, unit, division, make_user, make_supervisor) -> World:
    """Staff in three units and one with none; six supervisors, one rule each."""
    w = World()
    w.units["u1"] = unit
    for code in ("u2", "u3"):
        w.units[code] = Unit(code=code.upper(), name=f"Unit {code}", division=division, area="")
        db.session.add(w.units[code])
    db.session.commit()
    u1, u2, u3 = (w.units[c].id for c in ("u1", "u2", "u3"))

    w.users["alice"] = make_user(name="Alice", unit_id=u1)
    w.users["bob"] = make_user(name="Bob", unit_id=u2)
    w.users["carol"] = make_user(name="Carol", unit_id=u3)
    w.users["dana"] = make_user(name="Dana", unit_id=None)
    alice, bob, carol, dana = (w.users[n].id for n in ("alice", "bob", "carol", "dana"))

    sups = w.sups
    sups["aho"] = make_supervisor(name="Aho", languages=["fi", "en"])  # no unit, no conflict
    sups["berg"] = make_supervisor(name="Berg", unit_id=u1, languages=["fi"])  # Alice's unit
    sups["cay"] = make_supervisor(name="Cay", languages=["en"], conflicts=[w.units["u2"]])
    sups["dahl"] = make_supervisor(name="Dahl", active=False, languages=["fi", "en"])
    sups["eklund"] = make_supervisor(
        name="Eklund", unit_id=u3, languages=["sv"], conflicts=[w.units["u1"]]
    )
    sups["forss"] = make_supervisor(name="Forss", languages=["fi"])  # no slots at all
    # supervisors browse too: never their own slots, nor those of their unit
    w.users["aho"] = sups["aho"].user
    w.users["berg"] = sups["berg"].user

    def slot(name, sup, starts_at, mode="video", **kwargs):
        w.slots[name] = OnDutySlot(
            supervisor_id=sups[sup].id,
            starts_at=starts_at,
            on_date=local_date(starts_at),
            mode=mode,
            duration_minutes=60,
            **kwargs,
        )
        db.session.add(w.slots[name])

    held = "offered_to_id", "offer_expires_at"
    slot("a1", "aho", utc(D1, 10))
    slot("a2", "aho", utc(D1, 9))  # past
    slot("a3", "aho", utc(D1, 9, 15))  # past: the minute of NOW, before it
    slot("a4", "aho", utc(D1, 9, 16), "phone")  # the next minute
    slot("a5", "aho", utc(D2, 8), "on_site")
    slot("a6", "aho", utc(D2, 10), status=SlotStatus.BOOKED, booked_by_id=carol)
    slot("a7", "aho", utc(D3, 8), status=SlotStatus.WITHDRAWN)
    slot("a8", "aho", utc(D2, 12), **dict(zip(held, (alice, LIVE), strict=True)))
    slot("a9", "aho", utc(D2, 13), "phone", **dict(zip(held, (bob, LAPSED), strict=True)))
    slot("a10", "aho", utc(D3, 9), **dict(zip(held, (alice, NOW), strict=True)))  # ends now
    slot("a11", "aho", utc(D1, 6), **dict(zip(held, (alice, LIVE), strict=True)))  # past
    slot("a12", "aho", utc(D3, 21, 30))  # 00:30 on D4 in Helsinki
    slot("b1", "berg", utc(D1, 11))
    slot("b2", "berg", utc(D2, 11), "phone")
    slot("b3", "berg", utc(D2, 14), **dict(zip(held, (alice, LIVE), strict=True)))
    slot("c1", "cay", utc(D1, 13))
    slot("c2", "cay", utc(D2, 13))
    slot("c3", "cay", utc(D3, 13), "phone", **dict(zip(held, (bob, LIVE), strict=True)))
    slot("c4", "cay", utc(D2, 15), **dict(zip(held, (carol, LAPSED), strict=True)))
    slot("d1", "dahl", utc(D1, 14))
    slot("d2", "dahl", utc(D2, 8), **dict(zip(held, (alice, LIVE), strict=True)))
    slot("e1", "eklund", utc(D1, 15), "on_site")
    slot("e2", "eklund", utc(D2, 15))
    slot("e3", "eklund", utc(D2, 16), **dict(zip(held, (dana, None), strict=True)))  # no end
    db.session.commit()  # the data versions move on commit: the counts read from here on
    return w


def listed(user: User, filters: SlotFilters, now: datetime) -> list[int]:
    """The ids ``free_slots_query`` lists, checked against its SQL count."""
    query = free_slots_query(user, filters, now)
    ids = [row.id for row in db.session.execute(query)]
    counted = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    assert counted == len(ids) == len(set(ids))
    return ids


def filter_sets(w: World) -> list[SlotFilters]:
    s = {name: sup.id for name, sup in w.sups.items()}
    return [
        SlotFilters(),
        *(SlotFilters(day=d) for d in (D1, D2, D3, D4, date(2026, 5, 20))),
        *(SlotFilters(mode=m) for m in ("video", "phone", "on_site")),
        *(SlotFilters(supervisor_id=i) for i in s.values()),
        SlotFilters(supervisor_id=max(s.values()) + 100),  # nobody
        *(SlotFilters(language=lang) for lang in ("fi", "en", "sv", "de")),
        SlotFilters(day=D2, mode="video"),
        SlotFilters(day=D1, language="en"),
        SlotFilters(day=D2, mode="phone", supervisor_id=s["aho"]),
        SlotFilters(supervisor_id=s["berg"], language="en"),
        SlotFilters(supervisor_id=s["aho"], language="en", mode="video"),
        SlotFilters(day=D2, mode="video", language="sv"),
        SlotFilters(day=D2, mode="video", supervisor_id=s["cay"], language="en"),
        SlotFilters(day=D3, supervisor_id=s["dahl"]),
    ]


def assert_count_is_the_listing(w: World, now: datetime) -> None:
    for name, user in w.users.items():
        for filters in filter_sets(w):
            n = len(listed(user, filters, now))
            assert count_free_slots(user, filters, now) == n, (name, filters, now)


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        NOW.replace(second=0),  # a whole minute
        datetime(2026, 5, 4, 9, 16, tzinfo=UTC),  # the start of a4 itself
        NOW + timedelta(hours=2),  # Alice's live offers have lapsed
        datetime(2026, 5, 6, 12, 0, 59, tzinfo=UTC),
        datetime(2026, 6, 1, tzinfo=UTC),  # nothing left
    ],
)
def test_count_is_the_number_of_listed_slots(world, now):
    assert_count_is_the_listing(world, now)
    # twice: the second time from the cached counts
    assert_count_is_the_listing(world, now)


def test_what_each_user_may_book(world):
    """The listing itself, worked out by hand, so the two cannot agree by being wrong alike."""
    w = world
    aho_for_others = {"a1", "a4", "a5", "a9", "a12"}  # a9: Bob's offer has lapsed
    expected = {
        # Aho and his offers to her; not Berg (her unit), Dahl (inactive), Eklund (conflict)
        "alice": aho_for_others | {"a8", "a10", "c1", "c2", "c4"},
        # not Cay (conflict with his unit), nor c3 held for him there
        "bob": aho_for_others | {"b1", "b2", "e1", "e2"},
        # not Eklund (her unit); c4 is hers though her offer lapsed: once
        "carol": aho_for_others | {"b1", "b2", "c1", "c2", "c4"},
        # no unit: no unit rule, no conflict; e3 is held for her without an end
        "dana": aho_for_others | {"b1", "b2", "c1", "c2", "c4", "e1", "e2", "e3"},
        # a supervisor: not their own slots
        "aho": {"b1", "b2", "c1", "c2", "c4", "e1", "e2"},
        # Berg (unit of Alice): not themselves, not Eklund (conflict with that unit)
        "berg": aho_for_others | {"c1", "c2", "c4"},
    }
    for name, slots in expected.items():
        user = w.users[name]
        assert w.names(listed(user, SlotFilters(), NOW)) == slots, name
        assert count_free_slots(user, SlotFilters(), NOW) == len(slots), name
    assert [len(expected[n]) for n in ("alice", "bob", "carol", "dana")] == [10, 9, 10, 13]


@pytest.mark.parametrize(
    "who, filters, n",
    [
        ("alice", {"day": D1}, 3),  # a1 a4 c1
        ("bob", {"day": D1}, 4),  # a1 a4 b1 e1
        ("alice", {"day": D3}, 1),  # a10; a12 is on D4 in Helsinki
        ("carol", {"day": D3}, 0),
        ("carol", {"day": D4}, 1),  # a12
        ("alice", {"mode": "phone"}, 2),  # a4 a9
        ("bob", {"mode": "phone"}, 3),  # a4 a9 b2
        ("dana", {"mode": "on_site"}, 2),  # a5 e1
        ("alice", {"supervisor": "aho"}, 7),
        ("bob", {"supervisor": "aho"}, 5),
        ("bob", {"supervisor": "cay"}, 0),
        ("alice", {"supervisor": "dahl"}, 0),
        ("alice", {"supervisor": "berg"}, 0),
        ("dana", {"supervisor": "forss"}, 0),
        ("alice", {"language": "en"}, 10),  # Aho and Cay
        ("bob", {"language": "en"}, 5),
        ("bob", {"language": "sv"}, 2),
        ("dana", {"language": "sv"}, 3),
        ("alice", {"language": "sv"}, 0),
        ("alice", {"day": D2, "mode": "video"}, 3),  # a8 c2 c4
        ("bob", {"day": D2, "mode": "video"}, 1),  # e2
        ("dana", {"day": D2, "mode": "video"}, 4),  # c2 c4 e2 e3
        ("bob", {"day": D2, "mode": "phone", "supervisor": "aho"}, 1),  # a9
        ("carol", {"supervisor": "berg", "language": "en"}, 0),
    ],
)
def test_counts_worked_out_by_hand(world, who, filters, n):
    filters = dict(filters)
    if "supervisor" in filters:
        filters["supervisor_id"] = world.sups[filters.pop("supervisor")].id
    user, slot_filters = world.users[who], SlotFilters(**filters)
    assert len(listed(user, slot_filters, NOW)) == n
    assert count_free_slots(user, slot_filters, NOW) == n


def test_count_follows_committed_changes(world):
    """Each change is committed after the counts were cached under the old data."""
    w = world
    users = w.users

    def check(expected: dict[str, int], filters: SlotFilters = NO_FILTER) -> None:
        for name, n in expected.items():
            assert len(listed(users[name], filters, NOW)) == n, (name, filters)
            assert count_free_slots(users[name], filters, NOW) == n, (name, filters)
        assert_count_is_the_listing(w, NOW)

    english = SlotFilters(language="en")
    check({"alice": 10, "bob": 9, "carol": 10, "dana": 13})
    check({"bob": 5}, english)

    # Bob books a1
    w.slots["a1"].status, w.slots["a1"].booked_by_id = SlotStatus.BOOKED, users["bob"].id
    db.session.commit()
    check({"alice": 9, "bob": 8, "carol": 9, "dana": 12})

    # Carol's booking of a6 is cancelled in time: the slot is free again
    w.slots["a6"].status, w.slots["a6"].booked_by_id = SlotStatus.OPEN, None
    db.session.commit()
    check({"alice": 10, "bob": 9, "carol": 10, "dana": 13})

    # Cay is deactivated
    w.sups["cay"].active = False
    db.session.commit()
    check({"alice": 7, "bob": 9, "carol": 7, "dana": 10})
    check({"alice": 0}, SlotFilters(supervisor_id=w.sups["cay"].id))

    # Berg moves from Alice's unit to Bob's (a change of the user, not the supervisor)
    w.sups["berg"].user.unit_id = w.units["u2"].id
    db.session.commit()
    check({"alice": 10, "bob": 7, "carol": 7, "dana": 10})  # Alice: b1 b2 and her b3

    # Aho gets a conflict of interest with Carol's unit
    w.sups["aho"].conflicts.append(w.units["u3"])
    db.session.commit()
    check({"alice": 10, "bob": 7, "carol": 2, "dana": 10})

    # Eklund speaks English now
    check({"bob": 5}, english)
    w.sups["eklund"].languages = ["en"]
    db.session.commit()
    check({"bob": 7}, english)

    # Eklund withdraws e1; a new slot for Aho; Alice's offer of a8 passes to Dana
    w.slots["e1"].status = SlotStatus.WITHDRAWN
    db.session.add(
        OnDutySlot(
            supervisor_id=w.sups["aho"].id,
            starts_at=utc(D2, 17),
            on_date=D2,
            mode="video",
            duration_minutes=60,
        )
    )
    w.slots["a8"].offered_to_id = users["dana"].id
    db.session.commit()
    check({"alice": 10, "bob": 7, "carol": 2, "dana": 11})
