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


def test_the_demo_programme_has_attendance_and_a_swedish_certificate(demo, client, tmp_path):
    """The social-sector leaders' cohort (issue 19): five two-day modules at five venues,
    attendance recorded, the Swedish-speaking participant completed it."""
    import subprocess

    from lahti_pool.programmes.models import Programme

    programme = db.session.scalar(select(Programme))
    assert [len(m.days) for m in programme.modules] == [2] * 5
    assert len({m.venue_id for m in programme.modules}) == 5
    assert programme.funding_source is not None and programme.continues_as_group
    member = next(m for m in programme.members if m.user.email == "personal@demo.lahti.fi")
    assert member.certificate_code is not None
    page = client.get(_login(client, "personal")).status_code
    assert page == 200
    detail = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    response = client.get(f"/programmes/{programme.id}/members/{member.id}/certificate.pdf")
    assert response.status_code == 200, detail[-2000:]
    (tmp_path / "c.pdf").write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Intyg" in text and programme.name in text
    assert "65 h" in text  # five modules of 2 × 6.5 h


def test_the_demo_has_a_group_request_with_two_quotes_to_compare(demo, client):
    from lahti_dev.demo_quotes import GROUP_NAME
    from lahti_pool.quotes.models import QuoteRound, QuoteStatus

    (quote_round,) = db.session.scalars(
        select(QuoteRound)
        .join(SupervisionRequest)
        .where(SupervisionRequest.group_name == GROUP_NAME)
    ).all()
    assert [q.status for q in quote_round.quotes] == [QuoteStatus.GIVEN] * 2
    assert quote_round.request.is_open
    _login(client, "admin")
    page = client.get(f"/quote-rounds/{quote_round.id}").get_data(as_text=True)
    assert "Hyväksy tarjous ja avaa prosessi" in page  # the demo administrator reads Finnish


def test_the_demo_has_venues_and_a_group_with_a_plan_of_hosts(demo, client):
    from lahti_pool.organisation.models import Venue
    from lahti_pool.sessions.models import SupervisionSession

    special = db.session.scalar(select(Venue).where(Venue.name == "Tiirismaan luontokeskus"))
    assert special is not None and special.accessibility_note
    hosted = db.session.scalars(
        select(SupervisionSession).where(SupervisionSession.host_user_id.is_not(None))
    ).all()
    assert hosted, "no demo group session has a host"
    process = hosted[0].process
    assert {s.host_user_id for s in hosted} <= process.client_ids
    _login(client, "admin")
    page = client.get(f"/processes/{process.id}/hosts").text
    assert f'value="{hosted[0].host_user_id}" selected' in page  # the plan, to edit
    assert "Ehdota reilua vuorottelua" in page  # "Propose a fair rotation", in Finnish


def test_the_demo_staff_member_joins_a_peer_network_and_queues_for_its_full_webinar(demo, client):
    from lahti_pool.networks.models import (
        EventRegistration,
        NetworkEvent,
        PeerNetwork,
        RegistrationStatus,
    )

    networks = {n.name: n for n in db.session.scalars(select(PeerNetwork))}
    assert len([n for n in networks.values() if n.is_themed]) == 2
    past = db.session.scalars(
        select(EventRegistration).where(EventRegistration.attended.is_not(None))
    ).all()
    assert past and any(r.attended for r in past)  # the workshop's attendance is recorded
    hr = networks["HR-kehittäjät"]
    webinar = db.session.scalar(
        select(NetworkEvent).where(NetworkEvent.network_id == hr.id, NetworkEvent.kind == "webinar")
    )
    _login(client, "staff")
    assert "HR-kehittäjät" in client.get("/networks").get_data(as_text=True)
    assert client.post(f"/networks/{hr.id}/join").status_code == 302
    page = client.get(f"/networks/events/{webinar.id}").get_data(as_text=True)
    assert "3/3 varattu" in page  # the demo people's language is Finnish
    client.post(f"/networks/events/{webinar.id}/register")
    row = db.session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == webinar.id,
            EventRegistration.user_id == _user("staff").id,
        )
    )
    assert row.status == RegistrationStatus.WAITING
    from lahti_pool.networks.events import waiting_position

    assert waiting_position(row) == 3  # behind the two demo people already waiting
    pedagogy = client.get(f"/networks/{networks['Pedagoginen johtaminen'].id}")
    assert "Pedagogisen johtamisen työpaja" in pedagogy.get_data(as_text=True)  # past events
    board = client.get(f"/networks/{hr.id}/board").get_data(as_text=True)
    assert "<strong>mitä aiheita</strong>" in board


def test_the_demo_has_a_covision_circle_with_a_rotation_and_a_theme_passed_upward(demo, client):
    from lahti_dev.demo_circles import CIRCLE_NAME, THEME
    from lahti_pool.circles.models import CovisionCircle, MeetingState

    circle = db.session.scalar(select(CovisionCircle))
    states = [m.state for m in circle.meetings]
    assert states[0] == MeetingState.HELD and MeetingState.PLANNED in states
    assert len({m.host_id for m in circle.meetings}) == len(circle.meetings)  # hosts rotate
    _login(client, "manager")  # the manager is one of its members
    page = client.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert CIRCLE_NAME in page
    _login(client, "reports")
    assert THEME in client.get("/circles/themes/passed").get_data(as_text=True)


def test_a_demo_network_member_answers_the_open_evaluation_survey(demo, client):
    _login(client, "manager")  # a member (the coordinator) of the network it evaluates
    surveys = client.get("/surveys").text
    assert "Evaluation of the networks" in surveys
    link = re.search(r'href="(/surveys/\d+/answer)"', surveys).group(1)
    form = client.get(link).text
    fields = sorted(set(re.findall(r'name="(q\d+)" value="1"', form)))
    sent = client.post(link, data={name: "4" for name in fields})
    assert sent.status_code == 302
    from lahti_pool.surveys.models import SurveyRespondent

    member = db.session.scalar(select(User).where(User.email == "manager@demo.lahti.fi"))
    assert db.session.get(SurveyRespondent, (int(link.split("/")[2]), member.id)) is not None
    assert 'name="q' not in client.get(link).text  # answered: no form again


def test_the_demo_needs_survey_reports_its_themes_to_the_reports_user(demo, client):
    from lahti_pool.surveys.models import Survey

    needs = db.session.scalar(select(Survey).where(Survey.kind == "needs"))
    _login(client, "reports")
    page = client.get(f"/surveys/{needs.id}/results").text
    assert "Pedagogical leadership" in page and "More sparring between schools." in page
    assert '<td class="text-end">9</td>' in page  # HR developers


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


def test_the_demo_group_across_three_organisations_went_from_quotes_to_statements(demo, client):
    """Issue 18's demo group: quotes asked and compared, the cheaper accepted with fixed
    shares, its first session held and approved; Hollola's official reads Hollola's share."""
    from lahti_dev.demo_across import GROUP_NAME
    from lahti_pool.quotes.models import QuoteRound

    quote_round = db.session.scalar(
        select(QuoteRound)
        .join(SupervisionRequest)
        .where(SupervisionRequest.group_name == GROUP_NAME)
    )
    from lahti_pool.sessions.models import SupervisionProcess

    process = db.session.get(SupervisionProcess, quote_round.process_id)
    assert process.cost_key == "shares" and process.price_cents == 14200
    (held,) = [s for s in process.sessions if s.approval == "approved"]
    from lahti_pool.organisation.models import Division

    by_org: dict = {}
    for cost in held.costs:
        org = db.session.get(Division, cost.division_id).organisation_id
        by_org[org] = by_org.get(org, 0) + cost.amount_cents
    assert sorted(by_org.values()) == [3550, 3550, 7100] and by_org[None] == 7100
    _login(client, "hollola")
    month = held.on_date.strftime("%Y-%m")
    page = client.get(f"/organisation-statements?month={month}").get_data(as_text=True)
    assert "Hollolan kunta" in page and "35,50" in page
