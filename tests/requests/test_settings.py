"""The administrator sets each school year's quota and the pre-questions."""

import pytest
from sqlalchemy import select

from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.requests.models import PreQuestion, SchoolYear
from lahti_pool.requests.quota import account_for, change_quota
from lahti_pool.requests.rules import QuotaOp


def test_changing_the_years_quota_changes_everyones_available_sessions(
    client, admin, staff, school_year
):
    account = account_for(staff.id, school_year)
    change_quota(account, QuotaOp.HOLD, 4)
    db.session.commit()
    client.login(admin)
    response = client.post(f"/admin/settings/years/{school_year.id}/quota", data={"quota": "12"})
    assert response.status_code == 302
    db.session.refresh(account)
    assert (account.quota, account.state().available) == (12, 8)
    assert school_year.quota == 12
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("school_year.%")))
    assert event.details == {"old": 10, "new": 12}


def test_quota_below_what_someone_already_has_is_refused(client, admin, staff, school_year):
    account = account_for(staff.id, school_year)
    change_quota(account, QuotaOp.HOLD, 6)
    db.session.commit()
    client.login(admin)
    response = client.post(f"/admin/settings/years/{school_year.id}/quota", data={"quota": "5"})
    assert response.status_code == 400
    assert "1 people already have more than 5 sessions" in response.get_data(as_text=True)
    db.session.refresh(account)
    assert account.quota == 10 and school_year.quota == 10


def test_quota_must_be_a_number_in_range(client, admin, school_year):
    client.login(admin)
    for bad in ("-1", "101", "lots"):
        response = client.post(f"/admin/settings/years/{school_year.id}/quota", data={"quota": bad})
        assert response.status_code == 400
    assert school_year.quota == 10


def test_admin_opens_the_next_school_year(client, admin, school_year):
    client.login(admin)
    client.post("/admin/settings/years/next")
    years = db.session.scalars(select(SchoolYear).order_by(SchoolYear.starts_on)).all()
    assert len(years) == 2
    assert years[1].starts_on == school_year.ends_on.replace(day=1, month=8)


def test_opening_the_next_school_year_twice_opens_it_once_and_says_so(client, admin, school_year):
    client.login(admin)
    client.post("/admin/settings/years/next")

    response = client.post("/admin/settings/years/next", follow_redirects=True)

    years = db.session.scalars(select(SchoolYear).order_by(SchoolYear.starts_on)).all()
    assert [y.starts_on for y in years] == [
        school_year.starts_on,
        school_year.ends_on.replace(day=1, month=8),
    ]
    assert f"School year {years[1].label} is already open for requests." in response.text


def test_the_settings_page_offers_to_open_the_next_year_only_while_it_is_not_open(
    client, admin, school_year
):
    client.login(admin)
    button = "Open the next school year for requests"
    assert button in client.get("/admin/settings/").text
    client.post("/admin/settings/years/next")
    page = client.get("/admin/settings/").text
    assert button not in page
    following = db.session.scalars(select(SchoolYear).order_by(SchoolYear.starts_on)).all()[1]
    assert f"School year {following.label} is already open for requests." in page


@pytest.fixture
def restore_pre_questions(ctx):
    """pre_questions is seeded by a migration and kept between tests: put it back."""
    saved = db.session.execute(select(PreQuestion.id, PreQuestion.text_fi, PreQuestion.text_en))
    saved = saved.all()
    yield
    db.session.rollback()
    for id_, text_fi, text_en in saved:
        question = db.session.get(PreQuestion, id_)
        question.text_fi, question.text_en = text_fi, text_en
    db.session.commit()


def test_admin_edits_the_pre_questions_in_both_languages(client, admin, restore_pre_questions):
    client.login(admin)
    data = {f"text_fi_{i}": f"Kysymys {i}?" for i in (1, 2, 3)}
    data |= {f"text_en_{i}": f"Question {i}?" for i in (1, 2, 3)}
    assert client.post("/admin/settings/pre-questions", data=data).status_code == 302
    texts = db.session.execute(
        select(PreQuestion.text_fi, PreQuestion.text_en).order_by(PreQuestion.position)
    ).all()
    assert texts == [(f"Kysymys {i}?", f"Question {i}?") for i in (1, 2, 3)]
    data["text_en_2"] = ""
    assert client.post("/admin/settings/pre-questions", data=data).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(PreQuestion.text_en).where(PreQuestion.position == 2)) == (
        "Question 2?"
    )
