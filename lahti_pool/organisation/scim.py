"""A SCIM 2.0 Users endpoint (RFC 7643/7644) for Entra ID provisioning, at /scim/v2/Users.

The schema is scim2-models'; what a person is in the pool follows organisation/sync.py,
exactly as the nightly CSV sync does: ``employeeNumber`` of the enterprise extension is the
staff number, ``userName`` (or the primary work e-mail) the address, ``displayName`` the
name, ``title`` the job title, the enterprise ``department`` the unit code. ``active: false``
or DELETE makes the person a leaver (requests withdrawn, sessions freed, deactivated).

Authentication: ``Authorization: Bearer <SCIM_TOKEN>``; a missing or wrong token answers
401 and is recorded in the log of use. With no SCIM_TOKEN configured the endpoint is off
(404). A body that is not a valid SCIM User answers 400 with the SCIM error schema and
writes nothing. Attributes the pool does not keep (phone numbers, addresses) are ignored.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
from types import SimpleNamespace
from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, json, request
from sqlalchemy import func, select

from lahti_pool.accounts.addresses import email_problem, lookup_form
from lahti_pool.accounts.models import User as PoolUser
from lahti_pool.core import audit
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import csrf, db
from lahti_pool.organisation import leavers, sync
from lahti_pool.organisation.models import Unit

if TYPE_CHECKING:
    from scim2_models import Context, EnterpriseUser, User

    ScimUser = User[EnterpriseUser]

log = logging.getLogger(__name__)

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")
csrf.exempt(bp)  # a machine client with a bearer token, no browser session
#: a shorter SCIM_TOKEN refuses to start: it is all that guards the staff register
MIN_TOKEN_CHARS = 32


def _check_token(state) -> None:
    from lahti_pool.config import ConfigError

    token = state.app.config.get("SCIM_TOKEN") or ""
    if token and len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(f"SCIM_TOKEN must be at least {MIN_TOKEN_CHARS} random characters.")


bp.record_once(_check_token)

MEDIA_TYPE = "application/scim+json"
MAX_PAGE = 100
_FILTER = re.compile(r'^\s*(userName|externalId)\s+eq\s+"([^"]*)"\s*$', re.IGNORECASE)


@functools.cache
def _scim() -> SimpleNamespace:
    """scim2-models and pydantic, loaded on the first SCIM request: a worker that never
    serves one (no SCIM_TOKEN, or another node does it) does not carry them (about 15 MB)."""
    import pydantic
    import scim2_models as m

    return SimpleNamespace(
        Context=m.Context,
        EnterpriseUser=m.EnterpriseUser,
        Error=m.Error,
        ListResponse=m.ListResponse,
        Meta=m.Meta,
        PatchOp=m.PatchOp,
        ScimUser=m.User[m.EnterpriseUser],
        ValidationError=pydantic.ValidationError,
    )


class ScimProblem(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def _answer(body: dict | None, status: int = 200) -> Response:
    return Response(
        json.dumps(body) if body is not None else "", status=status, mimetype=MEDIA_TYPE
    )


def _error(status: int, detail: str, scim_type: str | None = None) -> Response:
    error = _scim().Error(status=status, detail=detail, scim_type=scim_type)
    return _answer(error.model_dump(), status)


@bp.errorhandler(ScimProblem)
def _problem(problem: ScimProblem):
    db.session.rollback()  # nothing written
    return _error(problem.status, problem.detail, problem.scim_type)


@bp.before_request
def _authenticate():
    token = current_app.config.get("SCIM_TOKEN") or ""
    if not token:
        return _error(404, "SCIM provisioning is not enabled.")
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(value.strip(), token):
        log.warning("SCIM request refused: %s bearer token", "no" if not given else "a wrong")
        audit.record_now(
            None, "scim.unauthorized", reason="missing" if not given else "wrong", path=request.path
        )
        response = _error(401, "A valid bearer token is required.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="scim"'
        return response
    return None


# --- Between SCIM and the pool ---------------------------------------------------------------


def _to_scim(user: PoolUser) -> dict:
    scim_user = _scim().ScimUser(
        id=str(user.id),
        user_name=user.email,
        display_name=user.name,
        title=user.job_title or None,
        active=user.is_active_account,
        emails=[{"value": user.email, "type": "work", "primary": True}],
        meta=_scim().Meta(
            resource_type="User",
            created=user.created_at,
            location=f"{request.url_root.rstrip('/')}/scim/v2/Users/{user.id}",
        ),
    )
    scim_user[_scim().EnterpriseUser] = _scim().EnterpriseUser(
        employee_number=user.staff_number, department=user.unit.code if user.unit else None
    )
    return scim_user.model_dump(scim_ctx=_scim().Context.RESOURCE_QUERY_RESPONSE)


def _parse(context: Context) -> ScimUser:
    payload = request.get_json(force=True, silent=True)
    if not isinstance(payload, dict):
        raise ScimProblem(400, "The body is not a JSON object.", "invalidSyntax")
    try:
        return _scim().ScimUser.model_validate(payload, scim_ctx=context)
    except _scim().ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ScimProblem(
            400, f"{first.get('msg', 'Invalid value')}: {where}", "invalidValue"
        ) from exc


def _person(scim_user: ScimUser) -> sync.Person:
    enterprise = scim_user[_scim().EnterpriseUser]
    number = (enterprise.employee_number if enterprise else None) or scim_user.external_id or ""
    emails = scim_user.emails or []
    primary = next((e.value for e in emails if e.primary and e.value), None)
    # The stored form (accounts/addresses.py): NFC, no look-alike scripts (issue 22).
    email, email_wrong = email_problem((scim_user.user_name or primary or "").strip())
    name = scim_user.display_name or (scim_user.name.formatted if scim_user.name else None)
    if not name and scim_user.name:
        name = " ".join(filter(None, (scim_user.name.given_name, scim_user.name.family_name)))
    unit_code = (enterprise.department if enterprise else None) or ""
    problems = [
        what
        for what, ok in (
            ("userName (the e-mail address)", email and not email_wrong and len(email) <= 254),
            ("displayName", name and len(name) <= 200),
            ("employeeNumber", number and len(number) <= 40),
            ("department (the unit code)", unit_code),
        )
        if not ok
    ]
    if problems:
        raise ScimProblem(400, "Missing or invalid: " + ", ".join(problems), "invalidValue")
    return sync.Person(
        staff_number=str(number).strip(),
        email=email,
        name=name.strip(),
        job_title=(scim_user.title or "")[:200],
        unit_code=unit_code.strip(),
    )


def _unit(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise ScimProblem(400, f"department {code!r} is not a known unit code.", "invalidValue")
    return unit


def _check_unique(person: sync.Person, user_id: int | None) -> None:
    clash = db.session.scalar(
        select(PoolUser).where(
            (func.lower(PoolUser.email) == person.email)
            | (PoolUser.staff_number == person.staff_number),
            PoolUser.id != (user_id or 0),
        )
    )
    if clash is not None:
        raise ScimProblem(409, "Another person has this userName or employeeNumber.", "uniqueness")


def _get_user(user_id: str) -> PoolUser:
    user = (
        db.session.get(PoolUser, int(user_id)) if user_id.isdigit() and len(user_id) < 10 else None
    )
    if user is None:
        raise ScimProblem(404, f"User {user_id} not found.")
    return user


def _set_active(user: PoolUser, active: bool | None) -> None:
    if active is False and user.is_active_account:
        leavers.deactivate_leaver(user, utcnow())
    elif active is True and not user.is_active_account:
        user.is_active_account = True
        audit.record(None, "staff.reactivated", user, source="scim")


# --- The routes ------------------------------------------------------------------------------


@bp.get("/Users")
def list_users():
    query = select(PoolUser).order_by(PoolUser.id)
    text = request.args.get("filter")
    if text:
        match = _FILTER.match(text)
        if match is None:
            raise ScimProblem(400, "Only userName eq and externalId eq filters.", "invalidFilter")
        attribute, value = match.groups()
        if attribute.lower() == "username":
            query = query.where(PoolUser.email == lookup_form(value))
        else:
            query = query.where(PoolUser.staff_number == value)
    try:
        start = max(1, int(request.args.get("startIndex", 1)))
        count = min(MAX_PAGE, max(0, int(request.args.get("count", MAX_PAGE))))
    except ValueError as exc:
        raise ScimProblem(400, "startIndex and count are numbers.", "invalidValue") from exc
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    users = db.session.scalars(query.offset(start - 1).limit(count)).all()
    body = (
        _scim()
        .ListResponse[_scim().ScimUser](
            total_results=total, start_index=start, items_per_page=len(users), resources=[]
        )
        .model_dump(scim_ctx=_scim().Context.SEARCH_RESPONSE)
    )
    body["Resources"] = [_to_scim(u) for u in users]
    return _answer(body)


@bp.get("/Users/<user_id>")
def get_user(user_id: str):
    return _answer(_to_scim(_get_user(user_id)))


@bp.post("/Users")
def create_user():
    scim_user = _parse(_scim().Context.RESOURCE_CREATION_REQUEST)
    person = _person(scim_user)
    _check_unique(person, None)
    user = sync.create_person(person, _unit(person.unit_code))
    if scim_user.active is False:
        _set_active(user, False)
    db.session.commit()
    response = _answer(_to_scim(user), 201)
    response.headers["Location"] = f"{request.url_root.rstrip('/')}/scim/v2/Users/{user.id}"
    return response


@bp.put("/Users/<user_id>")
def replace_user(user_id: str):
    user = _get_user(user_id)
    scim_user = _parse(_scim().Context.RESOURCE_REPLACEMENT_REQUEST)
    person = _person(scim_user)
    _check_unique(person, user.id)
    sync.update_person(user, person, _unit(person.unit_code))
    _set_active(user, scim_user.active)
    db.session.commit()
    return _answer(_to_scim(user))


ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#: PATCH paths of the enterprise extension, lower-cased, e.g. "...:2.0:user:department"
_ENTERPRISE = ENTERPRISE_URN.lower() + ":"


def _patched(user: PoolUser) -> tuple[dict, bool | None]:
    """The user as a SCIM payload with the PATCH operations applied, and the new ``active``."""
    payload = request.get_json(force=True, silent=True)
    if not isinstance(payload, dict):
        raise ScimProblem(400, "The body is not a JSON object.", "invalidSyntax")
    try:
        patch = (
            _scim()
            .PatchOp[_scim().ScimUser]
            .model_validate(payload, scim_ctx=_scim().Context.RESOURCE_PATCH_REQUEST)
        )
    except _scim().ValidationError as exc:
        raise ScimProblem(400, "The body is not a valid PatchOp.", "invalidSyntax") from exc
    current = _to_scim(user)
    ent = dict(current.get(ENTERPRISE_URN) or {})
    active = None
    for operation in patch.operations or []:
        op = str(operation.op.value).lower()
        if op not in ("add", "replace"):
            raise ScimProblem(400, f"The operation {op!r} is not supported.", "invalidValue")
        value = operation.value
        changes = value if operation.path is None and isinstance(value, dict) else None
        if changes is None:
            changes = {str(operation.path): value}
        for path, new in changes.items():
            key = path.lower()
            if key == "active":
                if not isinstance(new, bool) and str(new).lower() not in ("true", "false"):
                    raise ScimProblem(400, "active is true or false.", "invalidValue")
                active = new if isinstance(new, bool) else str(new).lower() == "true"
            elif key in ("username", "displayname", "title", "externalid"):
                current[{"username": "userName", "displayname": "displayName"}.get(key, key)] = new
            elif key.startswith('emails[type eq "work"].value') or key == "emails":
                if isinstance(new, str):
                    current["emails"] = [{"value": new, "type": "work", "primary": True}]
            elif key.startswith(_ENTERPRISE):
                attribute = key[len(_ENTERPRISE) :]
                ent[{"employeenumber": "employeeNumber"}.get(attribute, attribute)] = new
            # anything else (phone numbers, addresses, ...) the pool does not keep
    current[ENTERPRISE_URN] = ent
    current.pop("meta", None)
    current.pop("active", None)
    return current, active


@bp.patch("/Users/<user_id>")
def patch_user(user_id: str):
    user = _get_user(user_id)
    payload, active = _patched(user)
    try:
        scim_user = _scim().ScimUser.model_validate(
            payload, scim_ctx=_scim().Context.RESOURCE_REPLACEMENT_REQUEST
        )
    except _scim().ValidationError as exc:
        raise ScimProblem(400, "The patched user is not valid.", "invalidValue") from exc
    person = _person(scim_user)
    _check_unique(person, user.id)
    sync.update_person(user, person, _unit(person.unit_code))
    _set_active(user, active)
    db.session.commit()
    return _answer(_to_scim(user))


@bp.delete("/Users/<user_id>")
def delete_user(user_id: str):
    """The pool keeps a leaver's history: DELETE deactivates, as ``active: false`` does."""
    user = _get_user(user_id)
    _set_active(user, False)
    db.session.commit()
    return _answer(None, 204)
