"""The request behind a booked on-duty slot (slots/services/booking.py books it)."""

from datetime import date

from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core.errors import (
    N_,
    DomainError,
)
from lahti_pool.extensions import db
from lahti_pool.requests.models import (
    PreQuestion,
    PreQuestionAnswer,
    RequestKind,
    SchoolYear,
    SupervisionRequest,
)
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import record_event


def new_on_duty_request(
    actor: User,
    year: SchoolYear,
    *,
    mode: str,
    language: str,
    supervisor_id: int,
    on_date: date,
    answers: dict[int, str],
    locale: str,
) -> SupervisionRequest:
    """The request behind a booked on-duty slot, accepted at once, with the booker's
    CONFIDENTIAL answers; saved with the process the booking opens for it
    (slots/services/booking.py), so that the budget guard comes first. Every
    pre-question must be answered."""
    questions = list(db.session.scalars(select(PreQuestion).order_by(PreQuestion.position)))
    missing = [q.position for q in questions if not answers.get(q.position, "").strip()]
    if missing:
        raise DomainError(
            N_("Answer the question, please: it helps the session start on the point."),
            field=f"answer_{missing[0]}",
        )
    sup_request = SupervisionRequest(
        kind=RequestKind.ON_DUTY,
        status=RequestStatus.ACCEPTED,
        requester_id=actor.id,
        school_year_id=year.id,
        sessions_requested=1,
        modes=[mode],
        language=language,
        preferred_supervisor_id=supervisor_id,
        wanted_from=on_date,
        answers=[
            PreQuestionAnswer(
                position=q.position, question=q.text(locale), answer=answers[q.position]
            )
            for q in questions
        ],
    )
    record_event(sup_request, actor, RequestStatus.ACCEPTED, "on-duty slot booked")
    return sup_request
