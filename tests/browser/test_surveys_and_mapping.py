"""Answering a survey and reading the mapping report in a real browser, checked with axe
(WCAG 2.1 AA): radio groups with legends, the free-text limit said, the report's chart as
an image with a text alternative beside its tables."""

from datetime import date

from tests_support import PASSWORD

from lahti_pool.core import mapping
from lahti_pool.extensions import db
from lahti_pool.surveys import services
from lahti_pool.surveys.rules import QuestionInput

QUESTIONS = [
    QuestionInput("scale", "How useful was the network?"),
    QuestionInput("choice", "Which theme next?", ("Wellbeing", "Assessment")),
    QuestionInput("text", "Anything else?"),
]


def _survey(admin, title):
    survey = services.create_survey(
        admin, services.SurveyInput(title, "evaluation", "all_staff", None, list(QUESTIONS))
    )
    services.send_survey(admin, survey, date.today())
    db.session.commit()
    return survey


def test_a_staff_member_answers_a_survey(visitor, make_user, admin):
    person = make_user(email="answerer@lahti.fi")
    _survey(admin, "Network year")
    visitor.login(person.email, PASSWORD)
    page = visitor.page

    visitor.goto("/surveys")
    page.get_by_role("link", name="Network year").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("group", name="How useful was the network?").get_by_label("4").check()
    page.get_by_label("Assessment").check()
    page.get_by_label("Anything else?").fill("More sparring")
    page.get_by_role("button", name="Send the answers").click()
    page.wait_for_load_state()
    visitor.check()

    assert page.get_by_text("Thank you for your answers.").is_visible()
    assert page.get_by_text("No survey is waiting for your answer.").is_visible()


def test_the_mapping_report_is_accessible(visitor, make_user, admin, reports_user):
    people = [make_user() for _ in range(5)]
    survey = _survey(admin, "Network year")
    survey.subject_kind, survey.subject_id = "testnet", 7
    for person in people:
        q1, q2, _q3 = survey.questions
        services.answer_survey(person, survey, {q1.id: 5, q2.id: 0})
    services.close_survey(admin, survey, date.today())
    db.session.commit()
    row = mapping.MappingRow(
        "testnet", 7, "Pedagogical leadership", {"Teacher": 5}, {"City of Lahti": 5}, 2, 9
    )
    mapping.register_mapping_subjects("testnet", "Peer network", lambda start, end: [row])
    try:
        visitor.login(reports_user.email, PASSWORD)
        visitor.goto("/reports/mapping")
        page = visitor.page
        assert page.get_by_role("img", name="Chart of members, events held").is_visible()
        assert page.locator("caption", has_text="Members by role").count() == 1
        assert page.locator("caption", has_text="How useful was the network?").count() == 1
        page.get_by_label("From").fill(f"{date.today().year}-01-01")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        visitor.check()
    finally:
        mapping._SUBJECTS.pop("testnet", None)
