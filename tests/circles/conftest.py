"""A closed group process (three members, two organisations) to go on from."""

from datetime import UTC, datetime, time, timedelta

import pytest

from lahti_pool.circles import services
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.models import Division, Organisation, Unit, Venue
from lahti_pool.requests.services import GroupRequestInput, submit_group_request
from lahti_pool.sessions import processes


@pytest.fixture
def guest_unit(ctx, division):
    """A unit of a guest organisation (a neighbouring municipality)."""
    org = Organisation(name="Hollolan kunta")
    guest = Division(code="HOL", name_fi="Hollola", name_en="Hollola", organisation=org)
    unit = Unit(code="HOL-SIV", name="Hollolan sivistystoimi", division=guest, area="Hollola")
    db.session.add(unit)
    db.session.commit()
    return unit


@pytest.fixture
def members(make_user, guest_unit):
    """Anna and Bertta of the city, Cecilia of the guest organisation."""
    return [
        make_user(name="Anna Aalto", email="anna@lahti.fi"),
        make_user(name="Bertta Berg", email="bertta@lahti.fi"),
        make_user(name="Cecilia Carlsson", email="cecilia@hollola.fi", unit_id=guest_unit.id),
    ]


@pytest.fixture
def group_process(admin, members, supervisor, school_year, today):
    sup_request = submit_group_request(
        members[0],
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=2,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Sivistysjohtajat",
            member_emails=tuple(m.email for m in members[1:]),
        ),
        today,
    )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    process = matching.accept_assignment(admin, assignment, today).process
    db.session.commit()
    return process


@pytest.fixture
def closed_process(group_process, supervisor):
    processes.close_process(supervisor.user, group_process, datetime.now(UTC))
    db.session.commit()
    return group_process


@pytest.fixture
def circle(closed_process, members):
    """The circle Anna started; Bertta and Cecilia joined."""
    made = services.start_circle(members[0], closed_process, "Sivistysjohtajien kovisio")
    for member in members[1:]:
        services.join_circle(member, made)
    db.session.commit()
    return made


@pytest.fixture
def venue(ctx):
    place = Venue(
        name="Kolgan kartano", address="Kolga 1", accessibility_note="Porraton sisäänkäynti"
    )
    db.session.add(place)
    db.session.commit()
    return place


@pytest.fixture
def now():
    return datetime.now(UTC)


@pytest.fixture
def plan_input(now):
    """A series of meetings from two weeks on, at a venue (or online without one)."""

    def factory(venue=None, count=3, days=14):
        return services.PlanInput(
            first_day=(now + timedelta(days=days)).date(),
            at=time(14, 0),
            count=count,
            every_weeks=4,
            duration_minutes=90,
            venue_id=venue.id if venue else None,
            video_url="" if venue else "https://meet.example.fi/kovisio",
        )

    return factory
