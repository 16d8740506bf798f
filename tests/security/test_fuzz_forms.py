"""Every form under random input: never a 500; and fields a role may not set change nothing."""

import pytest
from flask import url_for
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from test_access import (  # noqa: F401 - fixtures used by name
    EXPECTED,
    network_objects,
    objects,
    owned_request,
    people,
)

from lahti_pool.accounts.models import Role
from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind, SupervisionRequest
from lahti_pool.requests.rules import RequestStatus

POSTS = sorted(e for e, (method, _, _) in EXPECTED.items() if method == "POST")

#: field names the forms use, plus ones no form has (mass assignment)
FIELDS = [
    "email",
    "title",
    "subject",
    "body",
    "send",
    "preview",
    "name",
    "password",
    "current_password",
    "new_password",
    "confirm",
    "sessions",
    "school_year",
    "modes",
    "language",
    "wanted_from",
    "members",
    "group_name",
    "reason",
    "supervisor",
    "quota",
    "text_fi_1",
    "text_en_1",
    "on_date",
    "at",
    "duration",
    "mode",
    "outcome",
    "attendees",
    "amount",
    "answer",
    "answer_1",
    "usefulness",
    "comment",
    "lang",
    "next",
    "status",
    "price_cents",
    "requester_id",
    "user_id",
    "session_ids",
    "start_time",
    "weekdays",
    "times",
    "first_day",
    "last_day",
    "role_admin",
    "approval",
    "kind",
    "present",
    "parent_id",
    "capacity",
    "venue_id",
    "video_url",
    "board_url",
    "organisation_id",
]
odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "99999999999999999999",
            "1e309",
            "NaN",
            "2026-02-30",
            "<script>",
            "' OR 1=1 --",
            "\x00",
            "ä" * 600,
            "1.5",
            "true",
            "[]",
        ]
    ),
)
form_data = st.dictionaries(st.sampled_from(FIELDS), odd_text, max_size=12)


def _url(app, endpoint, args, objs, owned, who):
    if isinstance(args, str) and args.startswith("network"):
        args = objs.getfixturevalue("network_objects")[args]
    elif args == "user":
        args = {"user_id": who["staff_owner"].id}
    elif args == "year":
        args = {"year_id": owned.school_year_id}
    elif isinstance(args, str):
        args = objs.getfixturevalue("objects").get(args, {"request_id": owned.id})
    with app.test_request_context():
        return url_for(endpoint, **args)


@pytest.mark.parametrize("role", ["admin", "staff_owner", "supervisor"])
@pytest.mark.parametrize("endpoint", POSTS)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=form_data)
# every field at once a number no id or counter can hold (random draws rarely pick it for
# the one field that is an id list: approvals broke on it on SQLite until 4 Dec)
@example(data=dict.fromkeys(FIELDS, "99999999999999999999"))
def test_random_form_input_never_breaks_the_page(
    request,
    app,
    client,
    people,
    owned_request,
    endpoint,
    role,
    data,  # noqa: F811
):
    url = _url(app, endpoint, EXPECTED[endpoint][1], request, owned_request, people)
    client.login(people[role])
    response = client.post(url, data=data)
    assert response.status_code < 500, (endpoint, role, data)
    db.session.rollback()


def test_posting_fields_a_staff_member_may_not_set_changes_nothing(
    client, staff, other_staff, school_year, next_school_year, today
):
    client.login(staff)
    client.post(
        "/requests/new",
        data={
            "school_year": school_year.id,
            "sessions": 2,
            "modes": ["video"],
            "language": "fi",
            "wanted_from": today.isoformat(),
            "preferred_supervisor": 0,
            # none of these is a field of the form
            "status": "accepted",
            "requester_id": other_staff.id,
            "kind": "group",
            "price_cents": 1,
            "user_id": other_staff.id,
        },
    )
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert sup_request.status == RequestStatus.SUBMITTED
    assert sup_request.requester_id == staff.id
    assert sup_request.kind == RequestKind.INDIVIDUAL
    client.post(
        "/account/email",
        data={"current_password": "x", "email": "a@b.fi", "role_admin": "y", "roles": "admin"},
    )
    db.session.refresh(staff)
    assert staff.roles == {Role.STAFF}
