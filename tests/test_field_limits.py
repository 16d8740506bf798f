"""Long text: a field says its limit before submitting (maxlength and a visible hint tied
to the field), and the server refuses text over the column's size with a message."""

import re

import pytest
from sqlalchemy import func, select

from lahti_pool.extensions import db
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.supervisors.models import FrameworkAgreement


def _field_html(page: str, field_id: str) -> str:
    match = re.search(rf"<(textarea|input)[^>]*\bid=\"{field_id}\"[^>]*>", page)
    assert match, field_id
    return match.group(0)


def _assert_limit_said(page: str, field_id: str, limit: int, hint: str) -> None:
    tag = _field_html(page, field_id)
    assert f'maxlength="{limit}"' in tag
    described = re.search(r'aria-describedby="([^"]*)"', tag).group(1).split()
    assert f"{field_id}-limit" in described
    said = re.search(rf'<div id="{field_id}-limit"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert hint in said


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _request(year, today, **overrides) -> dict:
    data = {
        "school_year": str(year.id),
        "sessions": "4",
        "modes": ["video"],
        "language": "fi",
        "wanted_from": today.isoformat(),
        "times_that_suit": "",
        "preferred_supervisor": "0",
        "answer_1": "",
        "answer_2": "",
        "answer_3": "",
    }
    return data | overrides


def test_the_request_form_says_each_limit_before_sending(client, staff, school_year):
    client.login(staff)
    page = client.get("/requests/new").get_data(as_text=True)
    _assert_limit_said(page, "answer_1", 2000, "At most 2000 characters.")
    _assert_limit_said(page, "times_that_suit", 500, "At most 500 characters.")
    client.post("/settings/language", data={"language": "fi"})
    fi = client.get("/requests/new", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert "Enintään 2000 merkkiä." in fi


@pytest.mark.parametrize(
    "field, limit", [("answer_1", 2000), ("answer_3", 2000), ("times_that_suit", 500)]
)
def test_over_long_request_text_is_refused_with_a_message(
    client, staff, school_year, today, field, limit
):
    client.login(staff)
    response = client.post(
        "/requests/new", data=_request(school_year, today, **{field: "x" * (limit + 1)})
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    assert str(limit) in re.search(rf'<div id="{field}-error"[^>]*>(.*?)</div>', page, re.S)[1]
    assert _count(SupervisionRequest) == 0


def test_text_at_the_limit_is_kept_whole(client, staff, school_year, today):
    client.login(staff)
    response = client.post("/requests/new", data=_request(school_year, today, answer_1="y" * 2000))
    assert response.status_code == 302
    assert db.session.scalar(select(SupervisionRequest)).answers[0].answer == "y" * 2000


def test_the_group_form_says_its_name_limit(client, staff, school_year, today):
    client.login(staff)
    page = client.get("/requests/new/group").get_data(as_text=True)
    _assert_limit_said(page, "group_name", 200, "At most 200 characters.")


def test_the_agreement_form_says_and_keeps_its_limits(client, admin):
    client.login(admin)
    page = client.get("/admin/supervisors/agreements/new").get_data(as_text=True)
    _assert_limit_said(page, "procurement_ref", 100, "At most 100 characters.")
    response = client.post(
        "/admin/supervisors/agreements/new",
        data={
            "name": "Työnohjaus 2026",
            "procurement_ref": "9" * 101,
            "starts_on": "2026-01-01",
            "ends_on": "2029-12-31",
            "allocation_rule": "balanced",
            "vat_percent": "25,5",
        },
    )
    assert response.status_code == 200
    assert 'id="procurement_ref-error"' in response.get_data(as_text=True)
    assert _count(FrameworkAgreement) == 0


def test_several_messages_of_one_field_do_not_run_together(app):
    """WTForms' own messages lack a full stop in some languages: one a line."""
    with app.test_request_context():
        from flask import render_template_string

        from lahti_pool.requests.forms import ReasonForm

        form = ReasonForm(meta={"csrf": False})
        form.reason.errors = ["Kenttä on pakollinen", "Liian pitkä"]
        html = render_template_string(
            '{% from "_macros/ui.html" import field %}{{ field(form.reason) }}', form=form
        )
    assert "pakollinen Liian" not in html
    assert html.count('<span class="d-block">') == 2
