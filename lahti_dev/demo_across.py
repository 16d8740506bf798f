"""The demo's group across three organisations from quotes to statements (issue 18).

Officials of the city, Hollola and the wellbeing services county (the two guest logins
among them) asked two supervisors for quotes; the administrator accepted the cheaper one
with fixed shares (the city half, each guest a quarter), and the first session is held
and approved, so each organisation's statement of that month shows its share. Made
through the services; run again it adds nothing.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.budget.costkey import CITY
from lahti_pool.budget.services import approve_sessions
from lahti_pool.extensions import db
from lahti_pool.guests.membership import group_organisations
from lahti_pool.quotes import services as quotes
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.quota import school_year_for
from lahti_pool.requests.services import GroupRequestInput, submit_group_request
from lahti_pool.sessions import services as sessions
from lahti_pool.sessions.models import SessionStatus

GROUP_NAME = "Harjun mallin sivistystoimen viranhaltijat"
NEED = "Kolmen organisaation viranhaltijaryhmä; kokoontumispaikka kiertää organisaatioiden välillä."
#: the two quotes (net cents a session); the second, cheaper one is accepted
PRICES = (15500, 14200)
#: the city's and each guest organisation's share, in basis points
CITY_SHARE, GUEST_SHARE = 5000, 2500


def ensure_across(admin: User, city_members: list[User], guests: list[User], today: date) -> int:
    """1 when the group was made, 0 when it was there or cannot be made yet."""
    if db.session.scalar(
        select(SupervisionRequest.id).where(SupervisionRequest.group_name == GROUP_NAME)
    ):
        return 0
    year = school_year_for(today)
    held_on = today - timedelta(days=14)
    if held_on < year.starts_on or len(city_members) < 2 or len(guests) < 2:
        return 0  # the first days of a school year: nothing can have been held yet
    organiser, *others = city_members
    orgs = tuple(g.unit.division.organisation_id for g in guests)
    sup_request = submit_group_request(
        organiser,
        GroupRequestInput(
            school_year_id=year.id,
            sessions=6,
            modes=("on_site",),
            language="fi",
            wanted_from=held_on,
            group_name=GROUP_NAME,
            member_emails=tuple(u.email for u in [*others, *guests]),
            organisation_ids=orgs,
        ),
        held_on - timedelta(days=30),
    )
    candidates = [c.supervisor for c in quotes.candidates(sup_request, held_on)]
    if len(candidates) < 2:
        return 0
    asked_on = held_on - timedelta(days=21)
    quote_round = quotes.ask_for_quotes(
        organiser,
        sup_request,
        quotes.RoundInput(tuple(s.id for s in candidates[:2]), 6, held_on, year.ends_on, NEED),
        asked_on,
    )
    for quote, price in zip(quote_round.quotes, PRICES, strict=True):
        quotes.give_quote(quote.supervisor.user, quote, quotes.QuoteInput(price, held_on), asked_on)
    cheaper = quote_round.quotes[1]
    shares = {CITY: CITY_SHARE} | {o.id: GUEST_SHARE for o in group_organisations(sup_request.id)}
    process = quotes.accept_quote(
        admin,
        cheaper,
        "Edullisempi hinta samalla sisällöllä ja aikataululla.",
        asked_on + timedelta(days=3),
        cost_key="shares",
        cost_shares=shares,
    ).process
    supervisor = cheaper.supervisor.user
    planned_at = datetime.combine(asked_on, time(9), tzinfo=UTC)
    first, _warnings = sessions.plan_session(
        supervisor,
        process,
        sessions.SessionInput(held_on, time(13), 90, "on_site", "Hollolan kunnantalo"),
        planned_at,
    )
    after = datetime.combine(held_on + timedelta(days=1), time(9), tzinfo=UTC)
    attendees = frozenset(m.user_id for m in process.members)
    sessions.log_session(
        supervisor, first, sessions.LogInput(SessionStatus.HELD, 90, attendees), after
    )
    approve_sessions(admin, [first], after)
    db.session.flush()
    return 1
