"""The log of use: who viewed or changed what, and when (never confidential content)."""

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.core.models import UTCDateTime, utcnow
from lahti_pool.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: who acted; empty for the system and for failed logins of unknown accounts
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: what happened, e.g. "request.submitted", "user.roles_changed", "login.failed"
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None] = mapped_column()
    #: non-confidential details only (ids, states, counts)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the client's address (behind PROXY_FIX_HOPS proxies, the person's); empty for
    #: commands and jobs
    client_address: Mapped[str] = mapped_column(String(45), default="")
    #: the browser's User-Agent, cut to 300 characters; empty for commands and jobs
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    actor = relationship("User", lazy="joined")


def _client() -> dict[str, str]:
    """Where the request came from: the address and the User-Agent (none outside one)."""
    if not has_request_context():
        return {"client_address": "", "user_agent": ""}
    return {
        "client_address": (request.remote_addr or "")[:45],
        "user_agent": (request.user_agent.string or "")[:300],
    }


def record(actor, action: str, obj=None, **details) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(
        **_client(),
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        details=details,
    )
    db.session.add(event)
    return event


def record_now(actor_id: int | None, action: str, **details) -> None:
    """Write an audit event at once on its own connection, outside the request's transaction.

    For refusals noticed in the middle of a request (a stale session cookie), where
    committing the request's session could commit half of a view's work.
    """
    with db.engine.begin() as conn:
        conn.execute(
            AuditEvent.__table__.insert().values(
                at=utcnow(),
                actor_id=actor_id,
                action=action,
                object_type="",
                details=details,
                **_client(),
            )
        )
