"""A person's own account: password, e-mail address, and a copy of their data."""

import json

from sqlalchemy import select

from lahti_pool.accounts.addresses import normalise_email
from lahti_pool.accounts.models import User
from lahti_pool.accounts.passwords import hash_password, password_problem, verify_password
from lahti_pool.accounts.services import find_user_by_email
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.core.exports import csv_text, safe_cell
from lahti_pool.core.notifications import Notification
from lahti_pool.extensions import db
from lahti_pool.networks.personal import network_data
from lahti_pool.requests.models import QuotaAccount, RequestMember, SupervisionRequest
from lahti_pool.sessions.models import (
    ProcessMember,
    SessionAttendance,
    SupervisionProcess,
    SupervisionSession,
)


def _reauthenticate(user: User, current_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        audit.record(user, "reauth.failed", user)
        raise DomainError(N_("Your current password is not right."), field="current_password")


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password after re-authentication; every other session ends."""
    _reauthenticate(user, current_password)
    problem = password_problem(new_password, [user.email, user.name])
    if problem:
        raise DomainError(problem, field="new_password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    audit.record(user, "password.changed", user)
    db.session.flush()


def change_email(user: User, current_password: str, new_email: str) -> None:
    """Change the login address after re-authentication; every other session ends."""
    _reauthenticate(user, current_password)
    new_email = normalise_email(new_email)
    other = find_user_by_email(new_email)
    if other is not None and other.id != user.id:
        raise DomainError(N_("Another user already has this e-mail address."), field="email")
    user.email = new_email
    user.session_version += 1
    audit.record(user, "email.changed", user)
    db.session.flush()


def personal_data(user: User) -> dict:
    """Everything the service holds about the person, for them to download."""
    request_ids = select(RequestMember.request_id).where(RequestMember.user_id == user.id)
    requests = db.session.scalars(
        select(SupervisionRequest).where(
            (SupervisionRequest.requester_id == user.id) | SupervisionRequest.id.in_(request_ids)
        )
    ).all()
    process_ids = select(ProcessMember.process_id).where(ProcessMember.user_id == user.id)
    # The processes the person is a client of (the individual's, or a group's member,
    # organiser included): the ones whose page shows them the goals.
    processes = db.session.scalars(
        select(SupervisionProcess)
        .where(SupervisionProcess.id.in_(process_ids))
        .order_by(SupervisionProcess.accepted_at, SupervisionProcess.id)
    ).all()
    sessions = db.session.scalars(
        select(SupervisionSession)
        .where(SupervisionSession.process_id.in_(process_ids))
        .order_by(SupervisionSession.starts_at)
    ).all()
    attended = {
        a.session_id: a.attended
        for a in db.session.scalars(
            select(SessionAttendance).where(SessionAttendance.user_id == user.id)
        )
    }
    return {
        "profile": {
            "name": user.name,
            "email": user.email,
            "job_title": user.job_title,
            "unit": user.unit.name if user.unit else None,
            "roles": sorted(r.value for r in user.roles),
            "language": user.locale,
            "created_at": user.created_at.isoformat(),
        },
        "quota": [
            {
                "school_year_id": a.school_year_id,
                "quota": a.quota,
                "held_for_requests": a.pending,
                "planned": a.reserved,
                "used": a.used,
            }
            for a in db.session.scalars(select(QuotaAccount).where(QuotaAccount.user_id == user.id))
        ],
        "requests": [
            {
                "id": r.id,
                "kind": r.kind.value,
                "status": r.status.value,
                "sessions_requested": r.sessions_requested,
                "created_at": r.created_at.isoformat(),
                "organiser": r.requester_id == user.id,
                # The person's own answers are their data; nobody else's are included.
                "pre_question_answers": [
                    {"question": a.question, "answer": a.answer} for a in r.answers
                ]
                if r.requester_id == user.id
                else [],
                "history": [
                    {"at": e.at.isoformat(), "status": e.to_status.value} for e in r.events
                ],
            }
            for r in requests
        ],
        "processes": [
            {
                "reference": p.reference,
                "kind": p.kind.value,
                "status": p.status.value,
                "supervisor": p.supervisor.name,
                "sessions_granted": p.sessions_granted,
                "accepted_at": p.accepted_at.isoformat(),
                # Confidential to the clients and the supervisor: the person is a client.
                "goals": p.goals,
            }
            for p in processes
        ],
        "sessions": [
            {
                "date": s.on_date.isoformat(),
                "starts_at": s.starts_at.isoformat(),
                "duration_minutes": s.duration_minutes,
                "mode": s.mode,
                "status": s.status.value,
                "supervisor": s.process.supervisor.name,
                "attended": attended.get(s.id),
            }
            for s in sessions
        ],
        "notifications": [
            {"at": n.created_at.isoformat(), "kind": n.kind.value}
            for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))
        ],
        "peer_networks": network_data(user),
    }


def personal_data_json(user: User) -> str:
    return json.dumps(personal_data(user), ensure_ascii=False, indent=2)


def personal_data_csv(user: User, language: str) -> str:
    """The same data flattened to section,field,value rows (``csv_text``'s conventions)."""
    rows = [["section", "item", "field", "value"]]

    def walk(section, item, value, prefix=""):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(section, item, inner, f"{prefix}{key}.")
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(section, item, inner, f"{prefix}{i}.")
        else:
            rows.append([section, item, prefix.rstrip("."), safe_cell(value)])

    for section, value in personal_data(user).items():
        if isinstance(value, list):
            for i, entry in enumerate(value):
                walk(section, i, entry)
        else:
            walk(section, "", value)
    return csv_text(rows, language)
