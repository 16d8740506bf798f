"""Building, answering and closing test surveys (the population of conftest.py)."""

from datetime import date

from lahti_pool.extensions import db
from lahti_pool.surveys import services
from lahti_pool.surveys.rules import QuestionInput

GROUP = "test_group"

QUESTIONS = [
    QuestionInput("scale", "How useful was the network?"),
    QuestionInput("choice", "Which theme next?", ("Wellbeing", "Assessment", "Leadership")),
    QuestionInput("text", "Anything else?"),
]


def make_survey(actor, kind="evaluation", about=True, year=2026, questions=QUESTIONS):
    survey = services.create_survey(
        actor,
        services.SurveyInput(
            title="Network evaluation",
            kind=kind,
            population_kind=GROUP,
            population_subject_id=7,
            questions=list(questions),
            about=about,
            evaluates_year=year if kind == "evaluation" else None,
        ),
    )
    db.session.commit()
    return survey


def answer_all(survey, people, scale=4, choice=0, text=""):
    """Each of ``people`` answers: the scale, the choice option index, the text."""
    scale_q, choice_q, text_q = survey.questions
    for person in people:
        services.answer_survey(
            person, survey, {scale_q.id: scale, choice_q.id: choice, text_q.id: text}
        )
    db.session.commit()


def send_and_close(admin, survey, answer=lambda s: None):
    services.send_survey(admin, survey, date.today())
    db.session.commit()
    answer(survey)
    services.close_survey(admin, survey, date.today())
    db.session.commit()
