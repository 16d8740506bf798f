"""One waiting individual request per person and school year: a double click sends one."""

from sqlalchemy import func, select

from lahti_pool.extensions import db
from lahti_pool.requests.models import QuotaAccount, SupervisionRequest
from lahti_pool.requests.rules import RequestStatus


def _form(year, today, **overrides):
    data = {
        "school_year": str(year.id),
        "sessions": "3",
        "modes": ["video"],
        "language": "fi",
        "wanted_from": today.isoformat(),
        "preferred_supervisor": "0",
        "answer_1": "",
        "answer_2": "",
        "answer_3": "",
    }
    data.update(overrides)
    return data


def _requests() -> list[SupervisionRequest]:
    return db.session.scalars(select(SupervisionRequest).order_by(SupervisionRequest.id)).all()


def _pending(user, year) -> int:
    return db.session.scalar(
        select(QuotaAccount.pending).where(
            QuotaAccount.user_id == user.id, QuotaAccount.school_year_id == year.id
        )
    )


def test_submitting_the_same_request_twice_keeps_one_and_links_to_it(
    client, staff, school_year, today
):
    client.login(staff)
    first = client.post("/requests/new", data=_form(school_year, today))
    assert first.status_code == 302

    second = client.post("/requests/new", data=_form(school_year, today))

    assert second.status_code == 200
    (kept,) = _requests()
    assert "You already have a request for individual supervision waiting" in second.text
    assert f'href="/requests/{kept.id}"' in second.text
    assert _pending(staff, school_year) == 3


def test_a_waitlisted_request_still_counts_as_waiting(client, staff, admin, school_year, today):
    from lahti_pool.requests.services import change_status

    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    (first,) = _requests()
    change_status(admin, first, RequestStatus.WAITLISTED, "full")
    db.session.commit()

    response = client.post("/requests/new", data=_form(school_year, today, sessions="2"))

    assert "You already have a request for individual supervision waiting" in response.text
    assert len(_requests()) == 1
    assert _pending(staff, school_year) == 3


def test_after_withdrawing_a_new_request_can_be_sent(client, staff, school_year, today):
    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))
    (first,) = _requests()
    client.post(f"/requests/{first.id}/withdraw", data={"reason": ""})

    response = client.post("/requests/new", data=_form(school_year, today, sessions="5"))

    assert response.status_code == 302
    assert [r.status for r in _requests()] == [RequestStatus.WITHDRAWN, RequestStatus.SUBMITTED]
    assert _pending(staff, school_year) == 5


def test_a_request_for_the_next_school_year_is_not_a_second_one(
    client, staff, school_year, next_school_year, today
):
    client.login(staff)
    client.post("/requests/new", data=_form(school_year, today))

    response = client.post(
        "/requests/new",
        data=_form(
            next_school_year,
            today,
            wanted_from=next_school_year.starts_on.isoformat(),
        ),
    )

    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SupervisionRequest)) == 2
