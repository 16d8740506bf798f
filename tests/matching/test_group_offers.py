"""The Lahti fallback end to end: offer → answers → form (or cancel, or expire).

Forming a group is an order like any other: it opens its process through
sessions/processes.py, so the budget guard, the frozen terms and the grounds apply.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.budget.models import Budget
from lahti_pool.core import jobs
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.errors import DomainError
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.matching import offers, services
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.models import GroupOffer, OfferStatus
from lahti_pool.requests.quota import account_for
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions.models import SupervisionProcess


@pytest.fixture
def fallback(admin, make_user, make_supervisor, school_year, today):
    """Four individual requests, one individual place: three are proposed a group."""
    solo = make_supervisor(rank=1, kinds=["individual"], capacity_processes=1)
    groups = make_supervisor(rank=2, kinds=["group"], price_group_cents=20000)
    people = [make_user(name=f"Opettaja {n}") for n in range(4)]
    requests = []
    for person in people:
        data = RequestInput(
            school_year_id=school_year.id,
            sessions=6,
            modes=("video",),
            language="fi",
            wanted_from=today,
        )
        requests.append(submit_individual_request(person, data, today))
        db.session.commit()
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    grouped = [a for a in run.assignments if a.group_no is not None]
    return run, grouped, solo, groups


def _offer(client, admin, run, group_no):
    client.login(admin)
    return client.post(
        f"/admin/matching/runs/{run.id}/groups/{group_no}/offer", follow_redirects=True
    )


def _answer(client, user, request_id, answer):
    client.login(user)
    return client.post(
        f"/requests/{request_id}/offer", data={"answer": answer}, follow_redirects=True
    )


def test_matching_never_proposes_a_group_below_the_minimum_size(fallback, app):
    run, grouped, *_ = fallback
    assert len(grouped) == app.config["GROUP_MIN_MEMBERS"] == 3
    assert {a.group_no for a in grouped} == {1}


def test_offer_answer_and_form_open_one_process_with_grounds(
    client, admin, fallback, school_year, today
):
    run, grouped, solo, groups = fallback
    assert _offer(client, admin, run, 1).status_code == 200
    offer = db.session.scalar(select(GroupOffer))
    assert offer.status == OfferStatus.OPEN
    assert {m.request.status for m in offer.members} == {RequestStatus.GROUP_OFFERED}
    for member in offer.members:
        page = _answer(client, member.request.requester, member.request_id, "accept")
        assert "You will be told when the group is formed" in page.get_data(as_text=True)
    client.login(admin)
    page = client.post(f"/admin/matching/offers/{offer.id}/form", follow_redirects=True)
    assert "The group is formed" in page.get_data(as_text=True)
    db.session.expire_all()
    process = db.session.scalar(select(SupervisionProcess))
    assert (process.group_offer_id, process.rule, process.sessions_granted) == (
        offer.id,
        "group_fallback",
        offer.sessions,
    )
    assert process.price_cents == 20000 and process.vat_percent == groups.agreement.vat_percent
    # The grounds name the better-ranked supervisor passed over, and why.
    assert [(g["supervisor_id"], g["reason"]) for g in process.grounds] == [(solo.id, "kind")]
    assert sorted(process.client_ids) == sorted(m.request.requester_id for m in offer.members)
    assert {m.request.status for m in offer.members} == {RequestStatus.ACCEPTED}
    # Each member asked for 6 and the group has offer.sessions: the rest is released.
    for member in offer.members:
        state = account_for(member.request.requester_id, school_year).state()
        assert state.pending == offer.sessions
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "process.accepted" in actions and "group_offer.formed" in actions


def test_forming_a_group_over_the_budget_is_refused_without_a_reason(
    client, admin, fallback, today
):
    run, grouped, solo, groups = fallback
    _offer(client, admin, run, 1)
    offer = db.session.scalar(select(GroupOffer))
    for member in offer.members:
        _answer(client, member.request.requester, member.request_id, "accept")
    # The group costs sessions × 200.00 €; the pool's budget has room for one session.
    db.session.add(Budget(fiscal_year=today.year, division_id=None, amount_cents=20000))
    db.session.commit()
    client.login(admin)
    page = client.post(f"/admin/matching/offers/{offer.id}/form", follow_redirects=True)
    assert "over the budget" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0
    db.session.expire_all()
    assert db.session.get(GroupOffer, offer.id).status == OfferStatus.OPEN
    page = client.post(
        f"/admin/matching/offers/{offer.id}/form",
        data={"budget_override_reason": "The board added money for groups"},
        follow_redirects=True,
    )
    assert "The group is formed" in page.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "budget.override"))
    assert event.details["reason"] == "The board added money for groups"


def test_a_group_needs_the_minimum_of_acceptances_and_the_rest_go_back_to_the_queue(
    client, admin, fallback, app, today
):
    run, *_ = fallback
    _offer(client, admin, run, 1)
    offer = db.session.scalar(select(GroupOffer))
    first, second, third = offer.members
    _answer(client, first.request.requester, first.request_id, "accept")
    _answer(client, second.request.requester, second.request_id, "decline")
    with pytest.raises(DomainError, match="Only 1 people have accepted"):
        offers.form_group(admin, db.session.get(GroupOffer, offer.id), 3, today)
    db.session.rollback()
    db.session.expire_all()
    assert second.request.status == RequestStatus.WAITLISTED
    assert third.request.status == RequestStatus.GROUP_OFFERED


def test_the_administrator_can_cancel_an_open_offer(client, admin, fallback, school_year):
    run, *_ = fallback
    _offer(client, admin, run, 1)
    offer = db.session.scalar(select(GroupOffer))
    _answer(client, offer.members[0].request.requester, offer.members[0].request_id, "accept")
    client.login(admin)
    page = client.post(f"/admin/matching/offers/{offer.id}/cancel", follow_redirects=True)
    assert "The offer is cancelled" in page.get_data(as_text=True)
    db.session.expire_all()
    offer = db.session.get(GroupOffer, offer.id)
    assert offer.status == OfferStatus.CANCELLED
    assert {m.request.status for m in offer.members} == {RequestStatus.WAITLISTED}
    # Nothing was granted: each request still holds its six sessions for the next run.
    for member in offer.members:
        assert account_for(member.request.requester_id, school_year).state().pending == 6
    # A cancelled offer can be neither formed nor cancelled again.
    page = client.post(f"/admin/matching/offers/{offer.id}/form", follow_redirects=True)
    assert "no longer open" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0


def test_an_offer_left_open_too_long_expires_in_the_daily_jobs(app, admin, fallback, today):
    run, *_ = fallback
    offer = offers.offer_group(admin, run, 1)
    db.session.commit()
    assert jobs.run_daily_jobs(today, utcnow())["group_offers_expired"] == 0
    later = utcnow() + timedelta(days=app.config["GROUP_OFFER_DAYS"] + 1)
    assert jobs.run_daily_jobs(today, later)["group_offers_expired"] == 1
    db.session.commit()
    assert offer.status == OfferStatus.CANCELLED
    assert {m.request.status for m in offer.members} == {RequestStatus.WAITLISTED}
