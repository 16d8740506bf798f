"""State-changing posts without a valid CSRF token are refused."""

import pytest
from sqlalchemy import select

from lahti_pool.extensions import db
from lahti_pool.requests.models import SupervisionRequest


@pytest.fixture
def csrf_client(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    yield client
    app.config["WTF_CSRF_ENABLED"] = False


POSTS = [
    "/login",
    "/logout",
    "/language",
    "/notifications/read",
    "/requests/new",
    "/requests/new/group",
    "/admin/users/new",
    "/admin/users/1/password-link",
    "/password/forgot",
    "/password/new",
]


@pytest.mark.parametrize("url", POSTS)
def test_post_without_token_is_refused(csrf_client, staff, url):
    csrf_client.login(staff)
    response = csrf_client.post(url, data={"lang": "en", "email": "x@y.fi", "password": "x"})
    assert response.status_code == 400
    assert "form" in response.get_data(as_text=True).lower()


def test_forged_token_is_refused_and_nothing_is_saved(csrf_client, staff, school_year, today):
    csrf_client.login(staff)
    response = csrf_client.post(
        "/requests/new",
        data={
            "csrf_token": "forged.token.value",
            "school_year": school_year.id,
            "sessions": 2,
            "modes": ["video"],
            "language": "fi",
            "wanted_from": today.isoformat(),
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(SupervisionRequest)) is None


def test_post_with_token_from_the_form_is_accepted(csrf_client, staff):
    page = csrf_client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = csrf_client.post(
        "/login", data={"csrf_token": token, "email": staff.email, "password": "wrong"}
    )
    assert response.status_code == 200  # the form was processed: wrong password shown
    assert "Wrong e-mail address or password" in response.get_data(as_text=True)
