"""The demo's surveys (issue 19): a closed needs survey with enough answers to report,
and an open evaluation survey the demo staff member can answer.

The needs survey asks which peer networks people would join (Omnia's start, seed 003);
its answers stand for answers given before the demo started. The evaluation survey is
about the first network or programme a feature has registered, when there is one.
"""

from datetime import timedelta

from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core.populations import population_kinds
from lahti_pool.extensions import db
from lahti_pool.surveys import services
from lahti_pool.surveys.models import Survey
from lahti_pool.surveys.rules import QuestionInput

THEMES = ("HR developers", "Pedagogical leadership", "Leadership skills", "Team-based working")
#: how many chose each theme, in order: enough to show, one hidden pair
CHOSEN = (9, 7, 3, 1)


def _subject():
    """(population kind, subject id): the pedagogical leadership network (its coordinator,
    manager@, answers in the demo journey), else the first network or programme."""
    from lahti_dev.demo_networks import PEDAGOGY_NETWORK

    kinds = sorted(population_kinds(), key=lambda k: k.kind != "network")
    for kind in kinds:
        if kind.kind == "network":
            for subject_id, name in kind.choices():
                if name == PEDAGOGY_NETWORK:
                    return kind.kind, subject_id
    for kind in kinds:
        if kind.choices is not None:
            subjects = kind.choices()
            if subjects:
                return kind.kind, subjects[0][0]
    return None


def ensure_surveys(admin: User, today) -> int:
    """The two demo surveys, once; how many were added."""
    if db.session.scalar(select(func.count()).select_from(Survey)):
        return 0
    needs = services.create_survey(
        admin,
        services.SurveyInput(
            title="Peer networks: what do you need?",
            kind="needs",
            population_kind="all_staff",
            population_subject_id=None,
            intro="Which peer networks would support your work? Answers are anonymous.",
            questions=[
                QuestionInput("choice", "Which peer network would you join first?", THEMES),
                QuestionInput("scale", "How much would peer support help your work?"),
                QuestionInput("text", "What else should a network do?"),
            ],
        ),
    )
    services.send_survey(admin, needs, today - timedelta(days=30))
    staff = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.STAFF, User.email != "staff@demo.lahti.fi")
        .order_by(User.id)
        .limit(sum(CHOSEN))
    ).all()
    choice_q, scale_q, text_q = needs.questions
    choices = [i for i, n in enumerate(CHOSEN) for _ in range(n)]
    for n, (person, choice) in enumerate(zip(staff, choices, strict=False)):
        text = "More sparring between schools." if n % 4 == 0 else ""
        answers = {choice_q.id: choice, scale_q.id: 3 + n % 3, text_q.id: text}
        services.answer_survey(person, needs, answers)
    services.close_survey(admin, needs, today - timedelta(days=7))
    subject = _subject()
    evaluation = services.create_survey(
        admin,
        services.SurveyInput(
            title=f"Evaluation of the networks' year {today.year}",
            kind="evaluation",
            population_kind=subject[0] if subject else "all_staff",
            population_subject_id=subject[1] if subject else None,
            about=subject is not None,
            evaluates_year=today.year if subject else None,
            questions=[
                QuestionInput("scale", "How useful was the network for your work?"),
                QuestionInput("scale", "How well did the events work?"),
                QuestionInput("text", "What should continue next year?"),
            ],
        ),
    )
    services.send_survey(admin, evaluation, today)
    return 2
