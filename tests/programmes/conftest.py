"""Programme fixtures: a programme with its organiser, modules of days at venues."""

from datetime import time, timedelta

import pytest

from lahti_pool.accounts.models import Role
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Venue
from lahti_pool.programmes import services


@pytest.fixture
def organiser(make_user):
    return make_user(name="Olga Organiser", email="olga@lahti.fi")


@pytest.fixture
def programme(admin, organiser, today):
    """Five two-day modules; four of them required; room for three participants."""
    programme = services.create_programme(
        admin,
        services.ProgrammeInput(
            name="Sosiaalijohtajien kehittämisohjelma",
            audience="Social-sector leaders",
            starts_on=today - timedelta(days=200),
            ends_on=today + timedelta(days=30),
            funding_source_id=None,
            capacity=3,
            modules_required=4,
            issuer="Lahden kaupunki",
            open_for_applications=True,
        ),
    )
    services.grant_organiser(admin, programme, organiser)
    for n in range(1, 6):
        venue = Venue(name=f"Venue {n}", address=f"Katu {n}, Lahti")
        db.session.add(venue)
        db.session.flush()
        module = services.add_module(
            organiser, programme, services.ModuleInput(f"Theme {n}", venue.id, (), "Marika Saar")
        )
        first = programme.starts_on + timedelta(days=30 * n)
        for offset in (0, 1):
            services.add_day(
                organiser,
                module,
                services.DayInput(first + timedelta(days=offset), time(9), 390, "Agenda", False),
            )
    db.session.commit()
    return programme


@pytest.fixture
def manager(make_user):
    return make_user(name="Maija Manager", roles={Role.STAFF, Role.MANAGER})


def day_ids(programme) -> list[list[int]]:
    return [[d.id for d in m.days] for m in programme.modules]
