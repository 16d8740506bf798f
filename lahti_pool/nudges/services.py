"""Sending a nudge within its limits, and each person's choices about them.

Every nudge goes through ``send_nudge``: it is sent only to a person who wants that kind
(``NudgePreference``, else ``WANTED_BY_DEFAULT``), who has not had the same nudge (kind
and key) before, and who has had fewer than ``NUDGE_LIMIT`` nudges in the last
``NUDGE_LIMIT_DAYS`` days. Each e-mail carries a signed link that stops that kind of nudge
without logging in (``stop_token``).
"""

import enum
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, exists, func, select, true

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.mailer import absolute_url, mail_domain, queue_mail
from lahti_pool.core.models import upsert
from lahti_pool.extensions import db
from lahti_pool.nudges.models import WANTED_BY_DEFAULT, NudgeKind, NudgePreference, NudgeSent

_SALT = "nudge-stop"


class Refusal(enum.StrEnum):
    """Why a person was not sent a nudge."""

    OPTED_OUT = "opted_out"
    ALREADY_SENT = "already_sent"
    LIMIT = "limit"


# --- choices -------------------------------------------------------------------------------


def wanted_condition(kind: NudgeKind):
    """SQL: the ``User`` of the query wants ``kind`` (their row, else the default)."""
    chosen = (
        select(NudgePreference.wanted)
        .where(NudgePreference.user_id == User.id, NudgePreference.kind == kind)
        .scalar_subquery()
    )
    return func.coalesce(chosen, WANTED_BY_DEFAULT[kind]) == true()


def preferences(user_id: int) -> dict[NudgeKind, bool]:
    rows = db.session.scalars(select(NudgePreference).where(NudgePreference.user_id == user_id))
    chosen = {row.kind: row.wanted for row in rows}
    return {kind: chosen.get(kind, default) for kind, default in WANTED_BY_DEFAULT.items()}


def set_preference(actor, user_id: int, kind: NudgeKind, wanted: bool, via: str) -> bool:
    """Record the person's choice (a conditional upsert, safe twice); whether it changed."""
    if preferences(user_id)[kind] == wanted:
        return False
    db.session.execute(
        upsert(NudgePreference)
        .values(user_id=user_id, kind=kind, wanted=wanted, changed_at=func.now())
        .on_conflict_do_update(
            index_elements=["user_id", "kind"], set_={"wanted": wanted, "changed_at": func.now()}
        )
    )
    db.session.expire_all()
    audit.record(
        actor, "nudge.preference", None, user_id=user_id, kind=str(kind), wanted=wanted, via=via
    )
    return True


def stop_token(user_id: int, kind: NudgeKind) -> str:
    """The signed key of one person's opt-out of one kind: no login needed, never expires
    (rotating SECRET_KEY ends every link)."""
    return URLSafeSerializer(current_app.secret_key, salt=_SALT).dumps([user_id, str(kind)])


def read_stop_token(token: str) -> tuple[int, NudgeKind] | None:
    """The person and kind a stop link names, or None for a forged or garbled one."""
    try:
        user_id, kind = URLSafeSerializer(current_app.secret_key, salt=_SALT).loads(token)
        return int(user_id), NudgeKind(kind)
    except (BadSignature, ValueError, TypeError):
        return None


# --- limits --------------------------------------------------------------------------------


def limit_conditions(kind: NudgeKind, key: str, now: datetime) -> list:
    """SQL conditions on ``User``: wants the kind, has not had this nudge, is under the limit."""
    config = current_app.config
    since = now - timedelta(days=config["NUDGE_LIMIT_DAYS"])
    recent = (
        select(func.count())
        .select_from(NudgeSent)
        .where(NudgeSent.user_id == User.id, NudgeSent.sent_at > since)
        .scalar_subquery()
    )
    had_it = exists().where(
        and_(NudgeSent.user_id == User.id, NudgeSent.kind == kind, NudgeSent.key == key)
    )
    return [wanted_condition(kind), ~had_it, recent < config["NUDGE_LIMIT"]]


def refusal(user: User, kind: NudgeKind, key: str, now: datetime) -> Refusal | None:
    """Why ``user`` may not be sent this nudge now, or None."""
    if not preferences(user.id)[kind]:
        return Refusal.OPTED_OUT
    if db.session.scalar(
        select(NudgeSent.id).where(
            NudgeSent.user_id == user.id, NudgeSent.kind == kind, NudgeSent.key == key
        )
    ):
        return Refusal.ALREADY_SENT
    since = now - timedelta(days=current_app.config["NUDGE_LIMIT_DAYS"])
    recent = db.session.scalar(
        select(func.count())
        .select_from(NudgeSent)
        .where(NudgeSent.user_id == user.id, NudgeSent.sent_at > since)
    )
    if recent >= current_app.config["NUDGE_LIMIT"]:
        return Refusal.LIMIT
    return None


def send_nudge(
    user: User, kind: NudgeKind, key: str, now: datetime, template: str, subject, **context
) -> bool:
    """Record the nudge and queue its e-mail (the caller has checked the limits); False if
    it was recorded before (another node's daily run, a double click)."""
    recorded = db.session.execute(
        upsert(NudgeSent)
        .values(user_id=user.id, kind=kind, key=key, sent_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "key"])
        .returning(NudgeSent.id)
    ).scalar_one_or_none()
    if recorded is None:
        return False
    queue_mail(
        user,
        f"nudge_{kind}",
        f"nudges/{kind}",
        subject,
        message_id=f"<nudge-{kind}-{key}-{user.id}@{mail_domain()}>",
        stop_url=absolute_url("nudges.stop", token=stop_token(user.id, kind)),
        **context,
    )
    return True
