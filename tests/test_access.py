"""Every route × every role: the access table.

The table is checked against ``app.url_map``, so a new route without a row here
fails ``test_every_route_has_an_access_row``.
"""

import pytest
from sqlalchemy import select

from lahti_pool.accounts.models import Role
from lahti_pool.extensions import db
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import GroupRequestInput, submit_group_request

ROLES = ("anonymous", "staff_owner", "staff_stranger", "supervisor", "admin", "reports")

# Shorthands for the expected status code per role, in the order of ROLES.
LOGIN = 302  # anonymous users are sent to the login page
OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404


def row(*codes):
    return dict(zip(ROLES, codes, strict=True))


EVERYONE_OK = row(OK, OK, OK, OK, OK, OK)
LOGGED_IN = row(LOGIN, OK, OK, OK, OK, OK)
STAFF_ONLY = row(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)
ADMIN_ONLY = row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN)

#: endpoint -> (method, url arguments, expected status per role)
EXPECTED = {
    "static": ("GET", {"filename": "css/app.css"}, EVERYONE_OK),
    "bootstrap.static": ("GET", {"filename": "css/bootstrap.min.css"}, EVERYONE_OK),
    "accounts.index": ("GET", {}, row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "accounts.login": ("GET", {}, EVERYONE_OK),
    "accounts.welcome": ("GET", {}, row(REDIRECT, OK, OK, OK, OK, OK)),
    "accounts.logout": (
        "POST",
        {},
        row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts.set_language": (
        "POST",
        {},
        row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "accounts.notifications": ("GET", {}, LOGGED_IN),
    "accounts.notifications_read": (
        "POST",
        {},
        row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "requests.dashboard": ("GET", {}, STAFF_ONLY),
    "requests.new_individual": ("GET", {}, STAFF_ONLY),
    "requests.new_group": ("GET", {}, STAFF_ONLY),
    # The request belongs to staff_owner; the stranger is a colleague outside the group.
    "requests.detail": ("GET", "request", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN)),
    "requests.withdraw": (
        "POST",
        "request",
        row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN),
    ),
    "requests.decline": (
        "POST",
        "request",
        row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN),
    ),
    "requests.admin_overview": ("GET", {}, ADMIN_ONLY),
    "settings.index": ("GET", {}, ADMIN_ONLY),
    "settings.year_quota": (
        "POST",
        "year",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN),
    ),
    "settings.open_next_year": (
        "POST",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN),
    ),
    "settings.pre_questions": (
        "POST",
        {},
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 400, FORBIDDEN),
    ),
    "users.index": ("GET", {}, ADMIN_ONLY),
    "users.new": ("GET", {}, ADMIN_ONLY),
    "users.edit": ("GET", "user", ADMIN_ONLY),
    "users.toggle_active": (
        "POST",
        "user",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN),
    ),
}

#: Only the owner and the administrator may change the request; the admin is refused
#: inside (flash + redirect) with nothing changed, which this asserts too.
CHANGING = {"requests.withdraw", "requests.decline", "users.toggle_active"}


def test_every_route_has_an_access_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), (
        f"missing rows: {sorted(endpoints - set(EXPECTED))}, "
        f"stale rows: {sorted(set(EXPECTED) - endpoints)}"
    )


@pytest.fixture
def people(make_user, supervisor):
    return {
        "staff_owner": make_user(name="Owner"),
        "staff_stranger": make_user(name="Stranger"),
        "supervisor": supervisor.user,
        "admin": make_user(name="Admin", roles={Role.ADMIN}),
        "reports": make_user(name="Reports", roles={Role.REPORTS}),
    }


@pytest.fixture
def owned_request(people, make_user, school_year, today):
    members = [make_user(), make_user()]
    sup_request = submit_group_request(
        people["staff_owner"],
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=2,
            modes=("video",),
            language="fi",
            wanted_from=today,
            group_name="Team",
            member_emails=tuple(m.email for m in members),
        ),
        today,
    )
    db.session.commit()
    return sup_request


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_route_access(app, client, people, owned_request, endpoint, role):
    method, args, expected = EXPECTED[endpoint]
    if args == "request":
        args = {"request_id": owned_request.id}
    elif args == "year":
        args = {"year_id": owned_request.school_year_id}
    elif args == "user":
        args = {"user_id": people["staff_owner"].id}
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **args)
    if role != "anonymous":
        client.login(people[role])
    response = client.open(url, method=method, data={"lang": "en"})
    assert response.status_code == expected[role], f"{method} {url} as {role}"
    if response.status_code == LOGIN and expected[role] == LOGIN and role == "anonymous":
        assert "/login" in response.headers["Location"] or endpoint.startswith("accounts.")
    if endpoint in CHANGING and role not in ("staff_owner",) and endpoint != "users.toggle_active":
        status = db.session.scalar(select(SupervisionRequest.status))
        assert status == RequestStatus.SUBMITTED


def test_unknown_object_is_404_not_403(client, people):
    client.login(people["admin"])
    assert client.get("/requests/999999").status_code == NOT_FOUND
    assert client.get("/admin/users/999999").status_code == NOT_FOUND
