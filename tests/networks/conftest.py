"""Fixtures of the peer networks: a network of organisations with a guest organisation,
a themed network in it with a coordinator, and a venue."""

from datetime import timedelta

import pytest

from lahti_pool.accounts.models import Role
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.networks import events, services
from lahti_pool.networks.models import NetworkKind
from lahti_pool.networks.rules import EventInput
from lahti_pool.organisation.models import Division, Organisation, Unit, Venue
from lahti_pool.sessions.rules import LOCAL_TZ


@pytest.fixture
def guest_org(ctx):
    org = Organisation(name="Hollolan kunta")
    division = Division(code="HOL", name_fi="Hollola", name_en="Hollola", organisation=org)
    db.session.add(Unit(code="HOL-SIV", name="Sivistystoimi", division=division))
    db.session.add(org)
    db.session.commit()
    return org


@pytest.fixture
def make_guest(make_user, guest_org):
    def factory(**kwargs):
        unit = guest_org.divisions[0].units[0]
        return make_user(roles={Role.GUEST}, unit_id=unit.id, **kwargs)

    return factory


@pytest.fixture
def org_network(admin, guest_org):
    network = services.create_network(
        admin, "Vertaansa vailla", NetworkKind.ORGANISATIONS, "16 organisations", None
    )
    services.add_organisation(admin, network, guest_org.id)
    db.session.commit()
    return network


@pytest.fixture
def coordinator(make_user):
    return make_user(name="Kaisa Coordinator", email="kaisa@lahti.fi")


@pytest.fixture
def network(admin, org_network, coordinator):
    themed = services.create_network(
        admin, "HR developers", NetworkKind.THEMED, "HR developers' peer network", org_network.id
    )
    services.grant_coordinator(admin, themed, coordinator.email)
    db.session.commit()
    return themed


@pytest.fixture
def venue(ctx):
    place = Venue(name="Lahden kaupungintalo", address="Harjukatu 31, Lahti")
    db.session.add(place)
    db.session.commit()
    return place


@pytest.fixture
def make_event(network, coordinator, venue):
    def factory(capacity=2, days=3, **kwargs):
        local = (utcnow() + timedelta(days=days)).astimezone(LOCAL_TZ)
        data = EventInput(
            kind=kwargs.pop("kind", "workshop"),
            title=kwargs.pop("title", "Change leadership workshop"),
            on_date=local.date(),
            at=kwargs.pop("at", local.time().replace(second=0, microsecond=0)),
            duration_minutes=kwargs.pop("duration_minutes", 120),
            capacity=capacity,
            venue_id=kwargs.pop("venue_id", venue.id),
            video_url=kwargs.pop("video_url", ""),
        )
        event = events.create_event(coordinator, network, data, utcnow())
        db.session.commit()
        return event

    return factory


@pytest.fixture
def make_member(make_user, network):
    def factory(**kwargs):
        person = make_user(**kwargs)
        services.join(person, network, utcnow())
        db.session.commit()
        return person

    return factory
