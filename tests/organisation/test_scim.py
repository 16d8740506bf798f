"""The SCIM 2.0 Users endpoint, as Entra ID provisioning calls it."""

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.organisation.job_groups import JobGroup
from lahti_pool.organisation.models import Unit
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import RequestInput, submit_individual_request

TOKEN = "scim-test-token-0123456789abcdefghijkl"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture
def scim(client, ctx, monkeypatch, unit):
    monkeypatch.setitem(ctx.config, "SCIM_TOKEN", TOKEN)

    def call(method, path, body=None, token=TOKEN, raw=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(
            "/scim/v2" + path,
            method=method,
            headers=headers,
            data=raw if raw is not None else None,
            json=body if raw is None and body is not None else None,
            content_type="application/scim+json",
        )

    return call


def entra_user(**overrides) -> dict:
    body = {
        "schemas": [CORE, ENTERPRISE],
        "externalId": "maija",
        "userName": "maija.meikalainen@lahti.fi",
        "active": True,
        "displayName": "Maija Meikäläinen",
        "title": "Luokanopettaja",
        "emails": [{"primary": True, "type": "work", "value": "maija.meikalainen@lahti.fi"}],
        "name": {"givenName": "Maija", "familyName": "Meikäläinen"},
        ENTERPRISE: {"employeeNumber": "100234", "department": "KIV"},
    }
    body.update(overrides)
    return body


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_provisioning_creates_finds_updates_and_deactivates(scim, unit, division):
    assert (
        scim("GET", '/Users?filter=userName eq "maija.meikalainen@lahti.fi"').json["totalResults"]
        == 0
    )

    created = scim("POST", "/Users", entra_user())

    assert created.status_code == 201, created.json
    assert created.content_type == "application/scim+json"
    user = db.session.get(User, int(created.json["id"]))
    assert (user.email, user.staff_number, user.unit_id) == (
        "maija.meikalainen@lahti.fi",
        "100234",
        unit.id,
    )
    assert user.job_group == JobGroup.TEACHER and user.roles == {Role.STAFF}
    assert created.json[ENTERPRISE]["employeeNumber"] == "100234"
    found = scim("GET", '/Users?filter=userName eq "Maija.Meikalainen@lahti.fi"').json
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == str(user.id)

    other = Unit(code="LAKS", name="Laksian koulu", division=division)
    db.session.add(other)
    db.session.commit()
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "LAKS"},
            {"op": "Replace", "path": "title", "value": "Rehtori"},
        ],
    }
    assert scim("PATCH", f"/Users/{user.id}", patch).status_code == 200
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.unit_id == other.id and user.job_group == JobGroup.PRINCIPAL

    off = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": False}],
    }
    assert scim("PATCH", f"/Users/{user.id}", off).json["active"] is False
    assert db.session.get(User, user.id).is_active_account is False
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["staff.created", "staff.updated", "staff.deactivated"]


def test_deactivation_withdraws_waiting_requests(scim, make_user, school_year, today):
    person = make_user(staff_number="100234", email="maija.meikalainen@lahti.fi")
    waiting = submit_individual_request(
        person,
        RequestInput(school_year.id, 3, ("video",), "fi", today, answers={1: "x"}),
        today,
    )
    db.session.commit()

    assert scim("DELETE", f"/Users/{person.id}").status_code == 204

    assert db.session.get(User, person.id).is_active_account is False
    assert db.session.get(SupervisionRequest, waiting.id).status == RequestStatus.WITHDRAWN


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[1, 2]",
        b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "active": "maybe"}',
    ],
)
def test_a_malformed_body_answers_400_with_the_scim_error_and_writes_nothing(scim, raw):
    before = user_count()
    response = scim("POST", "/Users", raw=raw)
    assert response.status_code == 400
    assert response.json["schemas"] == [ERROR]
    assert response.json["status"] == "400"
    assert response.json["scimType"] in ("invalidSyntax", "invalidValue")
    assert user_count() == before


def test_an_unknown_unit_answers_400_and_writes_nothing(scim):
    response = scim(
        "POST", "/Users", entra_user(**{ENTERPRISE: {"employeeNumber": "1", "department": "NOPE"}})
    )
    assert response.status_code == 400
    assert "not a known unit code" in response.json["detail"]
    assert user_count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_taken_address_answers_409(scim, make_user):
    make_user(email="maija.meikalainen@lahti.fi", staff_number="999")
    response = scim("POST", "/Users", entra_user())
    assert response.status_code == 409 and response.json["scimType"] == "uniqueness"
    assert user_count() == 1


@pytest.mark.parametrize(("token", "reason"), [(None, "missing"), ("wrong-token", "wrong")])
def test_a_missing_or_wrong_token_answers_401_and_is_logged(scim, token, reason):
    response = scim("POST", "/Users", entra_user(), token=token)
    assert response.status_code == 401
    assert response.json["schemas"] == [ERROR]
    assert user_count() == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scim.unauthorized"))
    assert event.details["reason"] == reason


def test_scim_is_off_without_a_token(client):
    response = client.get("/scim/v2/Users", headers={"Authorization": "Bearer "})
    assert response.status_code == 404


def test_a_short_token_refuses_to_start():
    from lahti_pool import create_app
    from lahti_pool.config import ConfigError, TestConfig

    class ShortToken(TestConfig):
        SCIM_TOKEN = "short"

    with pytest.raises(ConfigError, match="SCIM_TOKEN"):
        create_app(ShortToken)
