"""Each demo login starts its role's journey at the beginning, and its first step works
(issue 16, item 5): the staff member's first click was refused at 0 of 10 sessions."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lahti_dev.demo import DEMO_PASSWORD
from lahti_pool.accounts.models import User
from lahti_pool.extensions import db
from lahti_pool.matching.models import GroupOffer, OfferStatus
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.quota import account_for, school_year_for
from lahti_pool.sessions.models import SupervisionProcess
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.supervisors.models import Supervisor


@pytest.fixture
def demo(ctx):
    result = ctx.test_cli_runner().invoke(args=["pool", "demo"])
    assert result.exit_code == 0, result.output
    return ctx


def _login(client, login: str) -> str:
    client.post("/logout")
    response = client.post(
        "/login", data={"email": f"{login}@demo.lahti.fi", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, login
    return response.location


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{login}@demo.lahti.fi"))


@pytest.mark.parametrize("login", ["staff", "personal"])
def test_a_demo_staff_member_starts_with_every_session_and_books_the_first_slot_offered(
    demo, client, login
):
    user = _user(login)
    year = school_year_for(date.today())
    assert account_for(user.id, year).state().available == 10
    db.session.commit()  # account_for may have made the (empty) account
    assert not db.session.scalars(
        select(SupervisionRequest).where(SupervisionRequest.requester_id == user.id)
    ).all()
    dashboard = client.get(_login(client, login)).get_data(as_text=True)
    slot_id = int(re.search(r'href="/slots/(\d+)/book"', dashboard).group(1))
    response = client.post(
        f"/slots/{slot_id}/book",
        data={"answer_1": "Uusi luokka", "answer_2": "Jaksaminen", "answer_3": "Rauhaa"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    slot = db.session.get(OnDutySlot, slot_id)
    assert slot.status == SlotStatus.BOOKED and slot.booked_by_id == user.id


def test_the_demo_supervisor_has_a_new_client_and_plans_the_first_session(demo, client):
    supervisor = db.session.scalar(
        select(Supervisor).join(User).where(User.email == "supervisor@demo.lahti.fi")
    )
    waiting = [
        p
        for p in db.session.scalars(
            select(SupervisionProcess).where(SupervisionProcess.supervisor_id == supervisor.id)
        )
        if not p.sessions
    ]
    assert waiting, "no new client waits for a first session"
    _login(client, "supervisor")
    assert f"/processes/{waiting[0].id}" in client.get("/workspace").text
    day = date.today() + timedelta(days=8)
    response = client.post(
        f"/processes/{waiting[0].id}/sessions/new",
        data={"on_date": day.isoformat(), "at": "12:00", "duration": "60", "mode": "video"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db.session.refresh(waiting[0])
    assert len(waiting[0].sessions) == 1


def test_the_demo_administrator_runs_matching_and_forms_the_fallback_group(demo, client):
    _user("admin").locale = "en"  # the demo's administrator reads Finnish; this test English
    db.session.commit()
    _login(client, "admin")
    queue = client.get("/admin/matching/").get_data(as_text=True)
    assert "requests are waiting" in queue
    page = client.post("/admin/matching/run", data={"policy": "ranking"}, follow_redirects=True)
    assert "Matching proposes a supervisor for" in page.text
    (offer,) = db.session.scalars(select(GroupOffer)).all()
    assert len(offer.members) == 3
    page = client.post(f"/admin/matching/offers/{offer.id}/form", follow_redirects=True)
    assert "The group is formed" in page.text, page.text[-3000:]
    db.session.refresh(offer)
    assert offer.status == OfferStatus.FORMED


def test_the_demo_reports_user_lands_on_reports_with_figures(demo, client):
    landing = _login(client, "reports")
    assert landing.endswith("/reports")
    assert 'href="/reports/feedback"' in client.get(landing).text
    report = client.get("/reports/feedback").get_data(as_text=True)
    assert re.search(r"\d,\d|\d\.\d", report)  # averages shown, not all suppressed


@pytest.mark.parametrize("login", ["hollola", "hyvinvointialue"])
def test_a_demo_guest_official_sees_the_group_across_three_organisations(demo, client, login):
    from lahti_dev.demo_guests import GROUP_NAME
    from lahti_pool.guests.membership import group_organisations
    from lahti_pool.organisation.orgs import organisation_ids

    assert _login(client, login).endswith("/my-groups")
    page = client.get("/my-groups").get_data(as_text=True)
    sup_request = db.session.scalar(
        select(SupervisionRequest).where(SupervisionRequest.group_name == GROUP_NAME)
    )
    # the invitation, with its way to say no
    assert GROUP_NAME in page and f"/requests/{sup_request.id}/decline" in page
    assert len(group_organisations(sup_request.id)) == 2
    members = organisation_ids(m.user_id for m in sup_request.members)
    assert len(set(members.values())) == 3  # the city (None) and both guest organisations
    assert client.get(f"/requests/{sup_request.id}").status_code == 200
