"""Submitting, withdrawing and declining requests through the pages."""

import pytest
from sqlalchemy import select

from lahti_pool.extensions import db
from lahti_pool.requests.models import QuotaAccount, RequestKind, SupervisionRequest
from lahti_pool.requests.quota import account_for, change_quota
from lahti_pool.requests.rules import QuotaOp, RequestStatus


def _form(year, today, **overrides):
    data = {
        "school_year": str(year.id),
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
    # 8 sessions held already, as a group request of the person holds them (an individual
    # request would be refused as a second one: tests/requests/test_second_request.py)
    change_quota(account_for(staff.id, school_year), QuotaOp.HOLD, 8)
    db.session.commit()
    client.login(staff)
    response = client.post("/requests/new", data=_form(school_year, today, sessions="3"))
    assert response.status_code == 200
    assert "Only 2 sessions are left" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(SupervisionRequest)) == 0
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


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sessions": "0"}, "Number must be between 1 and 50"),
        ({"sessions": "abc"}, "Not a valid integer value"),
        ({"sessions": "11"}, "Only 10 sessions are left"),
        ({"modes": []}, "Choose at least one way to meet"),
        ({"modes": ["teleport"]}, "not a valid choice"),
        ({"school_year": "999999"}, "Not a valid choice"),
        ({"wanted_from": "2001-01-01"}, "Choose today or a later date"),
        ({"wanted_from": "not a date"}, "Not a valid date value"),
        ({"preferred_supervisor": "424242"}, "Not a valid choice"),
        ({"answer_1": "x" * 2001}, "Field cannot be longer than 2000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    client, staff, school_year, today, overrides, message
):
    client.login(staff)
    response = client.post("/requests/new", data=_form(school_year, today, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(SupervisionRequest)) is None
    assert _account(staff, school_year).state().available == 10


def test_date_after_the_school_year_is_refused(client, staff, school_year, today):
    client.login(staff)
    late = school_year.ends_on.replace(year=school_year.ends_on.year + 1)
    response = client.post(
        "/requests/new", data=_form(school_year, today, wanted_from=late.isoformat())
    )
    assert "(the school year)" in response.get_data(as_text=True)
    assert db.session.scalar(select(SupervisionRequest)) is None


def test_request_for_next_school_year_uses_that_years_quota(
    client, staff, school_year, next_school_year, today
):
    client.login(staff)
    response = client.post(
        "/requests/new",
        data=_form(
            next_school_year,
            today,
            sessions="10",
            wanted_from=next_school_year.starts_on.isoformat(),
        ),
    )
    assert response.status_code == 302
    assert _account(staff, next_school_year).state().available == 0
    assert _account(staff, school_year) is None or (
        _account(staff, school_year).state().available == 10
    )


def test_pre_question_answers_are_shown_to_the_author_but_never_to_the_admin(
    client, app, staff, admin, school_year, today
):
    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert "CANARY-ANSWER-1" in client.get(f"/requests/{sup_request.id}").get_data(as_text=True)
    admin_client = app.test_client()
    admin_client.login(admin)
    for url in (f"/requests/{sup_request.id}", "/admin/requests", "/notifications"):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "CANARY-ANSWER-1" not in response.get_data(as_text=True)


def test_pre_question_answers_stay_out_of_the_audit_log(client, staff, school_year, today):
    from lahti_pool.core.audit import AuditEvent

    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    for event in db.session.scalars(select(AuditEvent)):
        assert "CANARY" not in repr(event.details)


def test_withdrawn_request_cannot_be_withdrawn_again(client, staff, school_year, today):
    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    sup_request = db.session.scalar(select(SupervisionRequest))
    client.post(f"/requests/{sup_request.id}/withdraw")
    response = client.post(f"/requests/{sup_request.id}/withdraw", follow_redirects=True)
    assert "can no longer be withdrawn" in response.get_data(as_text=True)
    assert _account(staff, school_year).state().available == 10


def test_staff_cannot_withdraw_someone_elses_request(
    client, app, staff, other_staff, school_year, today
):
    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    sup_request = db.session.scalar(select(SupervisionRequest))
    stranger = app.test_client()
    stranger.login(other_staff)
    assert stranger.post(f"/requests/{sup_request.id}/withdraw").status_code == 403
    assert stranger.get(f"/requests/{sup_request.id}").status_code == 403
    assert sup_request.status == RequestStatus.SUBMITTED


def test_request_form_preselects_the_supervisor_chosen_from_a_profile(
    client, staff, supervisor, school_year
):
    client.login(staff)
    page = client.get(f"/requests/new?supervisor={supervisor.id}").get_data(as_text=True)
    assert f'<option selected value="{supervisor.id}">' in page or (
        f'value="{supervisor.id}" selected' in page
    )


def test_submitting_queues_a_confirmation_mail_without_the_answers(
    client, staff, school_year, today
):
    from lahti_pool.core.outbox import MailMessage

    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    mails = db.session.scalars(select(MailMessage)).all()
    assert [(m.kind, m.to_address) for m in mails] == [("request_received", staff.email)]
    assert all("CANARY" not in m.body_text + m.body_html + m.subject for m in mails)


def test_the_administrators_list_counts_a_new_request_at_once(
    client, app, staff, other_staff, admin, school_year, today
):
    """The list's count is kept between page views, and a request sent meanwhile (in
    another worker as well) moves it: its table's data version is raised on commit."""
    admin_client = app.test_client()
    admin_client.login(admin)
    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    assert "1 request" in admin_client.get("/admin/requests").get_data(as_text=True)
    client.login(other_staff)
    client.post("/requests/new", data=_form(school_year, today))
    page = admin_client.get("/admin/requests").get_data(as_text=True)
    assert "2 requests" in page
    assert page.count('href="/requests/') == 2
    waiting = admin_client.get("/admin/requests?status=submitted").get_data(as_text=True)
    assert "2 requests" in waiting
    assert "0 requests" in admin_client.get("/admin/requests?status=withdrawn").get_data(
        as_text=True
    )


def test_a_too_long_withdrawal_reason_is_shown_on_the_form_and_nothing_changes(
    client, staff, school_year, today
):
    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    sup_request = db.session.scalar(select(SupervisionRequest))

    response = client.post(f"/requests/{sup_request.id}/withdraw", data={"reason": "x" * 600})

    assert response.status_code == 400
    assert "Field cannot be longer than 500 characters." in response.text
    assert 'aria-invalid="true"' in response.text
    db.session.refresh(sup_request)
    assert sup_request.status == RequestStatus.SUBMITTED
    assert _account(staff, school_year).state().pending == 4
