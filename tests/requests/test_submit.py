"""Submitting, withdrawing and declining requests through the pages."""

from sqlalchemy import select

from lahti_pool.extensions import db
from lahti_pool.requests.models import QuotaAccount, RequestKind, SupervisionRequest
from lahti_pool.requests.rules import RequestStatus


def _form(school_year, today, **overrides):
    data = {
        "school_year": str(school_year.id),
        "sessions": "4",
        "modes": ["video", "on_site"],
        "language": "fi",
        "wanted_from": today.isoformat(),
        "times_that_suit": "Tiistai-iltapäivät",
        "preferred_supervisor": "0",
        "answer_1": "CANARY-ANSWER-1",
        "answer_2": "",
        "answer_3": "",
    }
    data.update(overrides)
    return data


def _account(user, year):
    return db.session.scalar(
        select(QuotaAccount).where(
            QuotaAccount.user_id == user.id, QuotaAccount.school_year_id == year.id
        )
    )


def test_staff_member_submits_individual_request_and_quota_is_held(
    client, staff, school_year, today
):
    client.login(staff)
    response = client.post("/requests/new", data=_form(school_year, today))
    assert response.status_code == 302
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert sup_request.kind == RequestKind.INDIVIDUAL
    assert sup_request.status == RequestStatus.SUBMITTED
    assert sup_request.sessions_requested == 4
    assert [a.answer for a in sup_request.answers] == ["CANARY-ANSWER-1"]
    assert _account(staff, school_year).state().available == 6
    page = client.get("/dashboard").get_data(as_text=True)
    assert "6" in page


def test_request_for_more_sessions_than_available_is_refused(client, staff, school_year, today):
    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today, sessions="8"))
    response = client.post("/requests/new", data=_form(school_year, today, sessions="3"))
    assert response.status_code == 200
    assert "Only 2 sessions are left" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(SupervisionRequest)) == 1
    assert _account(staff, school_year).state().available == 2


def test_withdraw_frees_the_held_sessions(client, staff, school_year, today):
    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    sup_request = db.session.scalar(select(SupervisionRequest))
    response = client.post(f"/requests/{sup_request.id}/withdraw", data={"reason": "changed"})
    assert response.status_code == 302
    db.session.refresh(sup_request)
    assert sup_request.status == RequestStatus.WITHDRAWN
    assert sup_request.events[-1].reason == "changed"
    assert sup_request.events[-1].actor_id == staff.id
    assert _account(staff, school_year).state().available == 10
