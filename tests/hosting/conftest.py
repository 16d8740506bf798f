"""A group process whose four members come from three organisations."""

from datetime import time, timedelta

import pytest

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.models import Division, Organisation, Unit, Venue
from lahti_pool.requests.services import GroupRequestInput, submit_group_request
from lahti_pool.sessions import rules, services
from lahti_pool.sessions.services import SessionInput


@pytest.fixture
def guest_units(ctx):
    """A unit of each of two guest organisations (their divisions are their cost centres)."""
    units = []
    for code, name in (("RAE", "Rae vald"), ("SAUE", "Saue vald")):
        org = Organisation(name=name)
        division = Division(code=code, name_fi=name, name_en=name, organisation=org)
        units.append(Unit(code=code + "1", name=f"{name} office", division=division, area=""))
    db.session.add_all(units)
    db.session.commit()
    return units


@pytest.fixture
def members(make_user):
    return [
        make_user(name="Anna City", locale="en"),
        make_user(name="Bert City", locale="en"),
        make_user(name="Carla Rae", locale="en"),
        make_user(name="Dora Saue", locale="en"),
    ]


@pytest.fixture
def group(members, guest_units, supervisor, admin, school_year, today):
    """The members' group process (accepted while all were the city's), then two members
    moved to the guest organisations' units."""
    sup_request = submit_group_request(
        members[0],
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=6,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Harju education officials",
            member_emails=tuple(m.email for m in members[1:]),
        ),
        today,
    )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    process = matching.accept_assignment(admin, assignment, today).process
    members[2].unit_id, members[3].unit_id = guest_units[0].id, guest_units[1].id
    db.session.commit()
    return process


@pytest.fixture
def plan_sessions(group):
    """Plan ``n`` sessions of the group, ``first_day`` days from the pool's today on."""

    def factory(n, first_day=2, **kwargs):
        now = utcnow()
        today = rules.local_date(now)
        made = []
        for i in range(n):
            data = SessionInput(
                on_date=today + timedelta(days=first_day + i),
                at=time(13),
                duration_minutes=90,
                mode="on_site",
                **kwargs,
            )
            made.append(services.plan_session(group.supervisor.user, group, data, now)[0])
        db.session.commit()
        return made

    return factory


@pytest.fixture
def venue(ctx):
    v = Venue(
        name="Viskla nature centre",
        address="Viskla küla, Harju",
        accessibility_note="Step-free path from the car park; no hearing loop",
    )
    db.session.add(v)
    db.session.commit()
    return v
