"""Fixtures of quotes for a group: a group request and three supervisors of the agreement."""

from datetime import timedelta

import pytest

from lahti_pool.accounts.models import Role
from lahti_pool.extensions import db
from lahti_pool.quotes import services
from lahti_pool.requests.services import GroupRequestInput, submit_group_request


@pytest.fixture
def organiser(make_user):
    return make_user(name="Olli Organiser")


@pytest.fixture
def admin(make_user):
    return make_user(name="Aino Admin", roles={Role.ADMIN})


@pytest.fixture
def group_request(organiser, make_user, school_year, today):
    members = [make_user(name="Maija Member"), make_user(name="Matti Member")]
    sup_request = submit_group_request(
        organiser,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=6,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Rehtorit",
            member_emails=tuple(m.email for m in members),
        ),
        today,
    )
    db.session.commit()
    return sup_request


@pytest.fixture
def sups(make_supervisor):
    """Three supervisors of the agreement, ranks 1–3."""
    return [make_supervisor(name=f"Sirkka Supervisor {n}", rank=n) for n in (1, 2, 3)]


@pytest.fixture
def ask(organiser, group_request, sups, today):
    """Ask the first two supervisors for quotes: 5 sessions this school year."""

    def asking(supervisors=None, actor=None, sessions=5):
        chosen = supervisors if supervisors is not None else sups[:2]
        quote_round = services.ask_for_quotes(
            actor or organiser,
            group_request,
            services.RoundInput(
                tuple(s.id for s in chosen),
                sessions,
                today,
                today + timedelta(days=120),
                "Rehtoreiden ryhmä, johtamisen kysymykset",
            ),
            today,
        )
        db.session.commit()
        return quote_round

    return asking


@pytest.fixture
def quoted(ask, sups, today):
    """A round with two quotes given: 120,00 € by rank 1 and 110,00 € by rank 2."""
    quote_round = ask()
    first, second = quote_round.quotes
    services.give_quote(
        sups[0].user, first, services.QuoteInput(12000, today + timedelta(30)), today
    )
    services.give_quote(
        sups[1].user, second, services.QuoteInput(11000, today + timedelta(30)), today
    )
    db.session.commit()
    return quote_round
