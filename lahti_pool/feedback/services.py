"""Feedback use cases: invite after a held session, answer once, report aggregates."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import case, false, func, or_, select, update

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, NotPermitted
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.feedback.mails import notify_feedback_invitation
from lahti_pool.feedback.models import FeedbackInvitation, FeedbackResponse
from lahti_pool.feedback.rules import feedback_closes, suppress_column, term_of
from lahti_pool.sessions.models import SessionStatus, SupervisionProcess, SupervisionSession
from lahti_pool.supervisors.models import Supervisor


def closes_on(session_date: date) -> date:
    """The day feedback on a session of this date is no longer taken (its term's report
    opens then; see :mod:`lahti_pool.feedback.rules`)."""
    days = current_app.config["FEEDBACK_DAYS_AFTER_TERM"]
    return feedback_closes(term_of(session_date), days)


def invite_feedback(
    sup_session: SupervisionSession, today: date | None = None
) -> list[FeedbackInvitation]:
    """After a held session, each client who attended may give feedback once, until the
    session's term is reported (a session logged later than that invites nobody)."""
    if sup_session.status != SessionStatus.HELD or sup_session.is_covision:
        return []
    if (today or date.today()) >= closes_on(sup_session.on_date):
        return []
    people = [a.user_id for a in sup_session.attendance if a.attended is not False]
    existing = set(
        db.session.scalars(
            select(FeedbackInvitation.user_id).where(
                FeedbackInvitation.session_id == sup_session.id
            )
        )
    )
    made = []
    for user_id in sorted(set(people) - existing):
        invitation = FeedbackInvitation(session_id=sup_session.id, user_id=user_id)
        db.session.add(invitation)
        db.session.flush()
        notify(user_id, NotificationKind.FEEDBACK_INVITATION, invitation)
        notify_feedback_invitation(invitation)
        made.append(invitation)
    return made


@dataclass(frozen=True)
class OpenInvitation:
    """Feedback the user may still give, for the staff dashboard."""

    id: int
    session_on: date
    supervisor_name: str
    closes_on: date


def open_invitations(user: User, today: date, limit: int = 5) -> list[OpenInvitation]:
    """The user's unanswered feedback invitations still open, newest session first."""
    rows = db.session.execute(
        select(FeedbackInvitation.id, SupervisionSession.on_date, User.name)
        .join(SupervisionSession, FeedbackInvitation.session_id == SupervisionSession.id)
        .join(SupervisionProcess, SupervisionSession.process_id == SupervisionProcess.id)
        .join(Supervisor, SupervisionProcess.supervisor_id == Supervisor.id)
        .join(User, Supervisor.user_id == User.id)
        .where(FeedbackInvitation.user_id == user.id, FeedbackInvitation.answered.is_(False))
        .order_by(SupervisionSession.on_date.desc())
        .limit(limit)
    ).all()
    found = [OpenInvitation(i, on, name, closes_on(on)) for i, on, name in rows]
    return [f for f in found if today < f.closes_on]


@dataclass(frozen=True)
class FeedbackInput:
    usefulness: int
    atmosphere: int
    arrangements: int
    comment: str = ""
    availability: int | None = None  #: how easy supervision was to get (1-5)


def give_feedback(
    actor: User, invitation: FeedbackInvitation, data: FeedbackInput, today: date | None = None
) -> None:
    """Store the answer apart from who gave it; a second answer, or one after feedback on
    the session's term has closed, is refused."""
    if invitation.user_id != actor.id:
        raise NotPermitted(N_("This feedback form is not yours."))
    sup_session = db.session.get(SupervisionSession, invitation.session_id)
    closes = closes_on(sup_session.on_date)
    if (today or date.today()) >= closes:
        raise DomainError(N_("Feedback on this session closed on %(date)s."), date=closes)
    ratings = (data.usefulness, data.atmosphere, data.arrangements)
    if data.availability is not None:
        ratings += (data.availability,)
    for value in ratings:
        if not 1 <= value <= 5:
            raise DomainError(N_("Give each rating from 1 to 5."))
    claimed = db.session.execute(
        update(FeedbackInvitation)
        .where(FeedbackInvitation.id == invitation.id, FeedbackInvitation.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise DomainError(N_("You have already given feedback on this session. Thank you!"))
    process = sup_session.process
    unit = actor.unit
    db.session.add(
        FeedbackResponse(
            supervisor_id=process.supervisor_id,
            division_id=unit.division_id if unit else None,
            month=sup_session.on_date.replace(day=1),
            kind=process.kind.value,
            usefulness=data.usefulness,
            atmosphere=data.atmosphere,
            arrangements=data.arrangements,
            availability=data.availability,
            comment=data.comment.strip(),
        )
    )
    # The log of use records that feedback was given, never by whom on which session.
    audit.record(None, "feedback.given", None)
    db.session.flush()


# --- Reports ------------------------------------------------------------------------

DIMENSIONS = {
    "division": FeedbackResponse.division_id,
    "supervisor": FeedbackResponse.supervisor_id,
    "month": FeedbackResponse.month,
    "kind": FeedbackResponse.kind,
}
RATINGS = ("usefulness", "atmosphere", "arrangements")


@dataclass(frozen=True)
class Cell:
    key: object
    n: int
    averages: dict[str, Decimal] | None  #: None when suppressed
    comments: int = 0  #: answers with a comment (shown only with a visible cell)
    #: the availability question's average, suppressed on its own answers (older answers
    #: lack it) and hidden with the cell
    availability: Decimal | None = None


def _average(total: int, n: int) -> Decimal:
    return (Decimal(total) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _period(start: date, end: date, supervisor_id: int | None) -> list:
    where = [FeedbackResponse.month >= start.replace(day=1), FeedbackResponse.month <= end]
    if supervisor_id is not None:
        where.append(FeedbackResponse.supervisor_id == supervisor_id)
    return where


def aggregate(
    by: str, start: date, end: date, k: int, supervisor_id: int | None = None
) -> tuple[list[Cell], Cell | None]:
    """Aggregates by ``by`` over [start, end], with small cells suppressed.

    Returns the cells (suppressed ones without figures) and the total (None when it
    must be hidden). One GROUP BY: a row per division, supervisor, month or kind.
    """
    column = DIMENSIONS[by]
    rows = db.session.execute(
        select(
            column,
            func.count(),
            func.sum(FeedbackResponse.usefulness),
            func.sum(FeedbackResponse.atmosphere),
            func.sum(FeedbackResponse.arrangements),
            func.count(case((FeedbackResponse.comment != "", 1))),
            func.count(FeedbackResponse.availability),
            func.sum(FeedbackResponse.availability),
        )
        .where(*_period(start, end, supervisor_id))
        .group_by(column)
    ).all()
    hidden, hide_total = suppress_column({row[0]: row[1] for row in rows}, k)
    # The availability answers are suppressed by their own counts, and with the cell.
    hidden_avail, hide_total_avail = suppress_column({row[0]: row[6] for row in rows}, k)
    hidden_avail |= hidden
    cells = [
        Cell(
            row[0],
            row[1],
            None
            if row[0] in hidden
            else {
                name: _average(total, row[1]) for name, total in zip(RATINGS, row[2:5], strict=True)
            },
            row[5],
            None if row[0] in hidden_avail or not row[6] else _average(row[7], row[6]),
        )
        for row in sorted(rows, key=lambda r: str(r[0]))
    ]
    total = None
    if not hide_total and rows:
        n = sum(r[1] for r in rows)
        total = Cell(
            "all",
            n,
            {name: _average(sum(r[2 + i] for r in rows), n) for i, name in enumerate(RATINGS)},
            availability=_total_availability(rows, hide_total_avail),
        )
    return cells, total


def _total_availability(rows, hide: bool) -> Decimal | None:
    answered = sum(r[6] for r in rows)
    if hide or not answered:
        return None
    return _average(sum(r[7] or 0 for r in rows), answered)


def comments_query(by: str, start: date, end: date, cells: list[Cell]):
    """The comments of the visible cells (a select for pagination): rows of ``key`` (the
    cell) and ``comment``.

    For the development services' report only: feedback goes to them, never to the
    supervisor as raw rows (DOMAIN.md), so there is no supervisor's selection of comments.
    Comments come with visible cells only, undated and in alphabetical order: a month or
    the order of answering would let a reader who knows who had sessions when tell whose
    comment is whose.
    """
    column = DIMENSIONS[by]
    visible = [c.key for c in cells if c.averages is not None]
    known = [key for key in visible if key is not None]
    in_visible = or_(column.in_(known), column.is_(None) if None in visible else false())
    # By month, one alphabetical list for the term: grouped by cell, each would be dated.
    by_cell = () if by == "month" else (column,)
    return (
        select(column.label("key"), FeedbackResponse.comment)
        .where(*_period(start, end, None), in_visible, FeedbackResponse.comment != "")
        .order_by(*by_cell, FeedbackResponse.comment, FeedbackResponse.id)
    )


def comment_count(cells: list[Cell]) -> int:
    """How many comments :func:`comments_query` finds: those of the visible cells."""
    return sum(c.comments for c in cells if c.averages is not None)
