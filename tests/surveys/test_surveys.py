"""Surveys: sent to a population, answered once without identity, closed, reported under
the feedback rule (five answers, complementary suppression, free text only to reports)."""

import pytest
from sqlalchemy import func, select
from survey_support import answer_all, make_survey, send_and_close

from lahti_pool.core.errors import DomainError, NotPermitted
from lahti_pool.core.notifications import Notification
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.surveys import results, services
from lahti_pool.surveys.models import Survey, SurveyAnswer, SurveyRespondent, SurveyStatus
from lahti_pool.surveys.rules import QuestionInput


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_sending_tells_each_member_in_the_app_and_by_email(admin, group, today):
    members, _coordinator = group
    survey = make_survey(admin)

    assert services.send_survey(admin, survey, today) == 6
    db.session.commit()

    assert survey.status == SurveyStatus.OPEN and survey.recipients == 6
    assert _count(Notification, Notification.kind == "survey_invitation") == 6
    mails = db.session.scalars(select(MailMessage)).all()
    assert sorted(m.to_user_id for m in mails) == sorted(m.id for m in members)
    assert all(f"/surveys/{survey.id}/answer" in m.body_text for m in mails)


def test_a_person_answers_once(admin, group, today):
    members, _ = group
    survey = make_survey(admin)
    services.send_survey(admin, survey, today)
    answer_all(survey, members[:1])

    with pytest.raises(DomainError, match="already"):
        answer_all(survey, members[:1])
    db.session.rollback()

    assert _count(SurveyRespondent) == 1
    assert _count(SurveyAnswer) == 2  # the scale and the choice; no empty free text


def test_answers_carry_no_person_no_time_and_no_order(admin, group, today):
    members, _ = group
    survey = make_survey(admin)
    services.send_survey(admin, survey, today)
    answer_all(survey, members, text="Good")

    assert set(SurveyAnswer.__table__.columns.keys()) == {
        "id",
        "survey_id",
        "question_id",
        "value",
        "text",
    }
    assert set(SurveyRespondent.__table__.columns.keys()) == {"survey_id", "user_id"}
    ids = db.session.scalars(select(SurveyAnswer.id)).all()
    assert len(set(ids)) == 18 and all(len(i) == 32 for i in ids)
    assert int(max(ids), 16) > 2**64  # random, not a count: they say nothing of the order


def test_closing_rewrites_the_answers_with_new_ids_keeping_every_answer(admin, group, today):
    members, _ = group
    survey = make_survey(admin)
    services.send_survey(admin, survey, today)
    for n, person in enumerate(members):
        answer_all(survey, [person], scale=1 + n % 5, choice=n % 3, text=f"T{n}")
    stored = select(SurveyAnswer.question_id, SurveyAnswer.value, SurveyAnswer.text)
    before_ids = set(db.session.scalars(select(SurveyAnswer.id)))
    before = sorted(db.session.execute(stored).all(), key=str)

    services.close_survey(admin, survey, today)
    db.session.commit()

    assert sorted(db.session.execute(stored).all(), key=str) == before
    assert not before_ids & set(db.session.scalars(select(SurveyAnswer.id)))


def test_only_the_population_may_answer(admin, group, make_user, today):
    survey = make_survey(admin)
    services.send_survey(admin, survey, today)
    stranger = make_user()

    with pytest.raises(NotPermitted):
        services.answer_survey(stranger, survey, {})
    assert _count(SurveyRespondent) == 0


def test_a_closed_survey_takes_no_answers(admin, group):
    members, _ = group
    survey = make_survey(admin)
    send_and_close(admin, survey)

    with pytest.raises(DomainError, match="closed"):
        answer_all(survey, members[:1])


def test_scale_and_choice_must_be_answered(admin, group, today):
    members, _ = group
    survey = make_survey(admin)
    services.send_survey(admin, survey, today)
    scale_q, choice_q, _text = survey.questions

    with pytest.raises(DomainError):
        services.answer_survey(members[0], survey, {scale_q.id: 9, choice_q.id: 0})
    db.session.rollback()
    assert _count(SurveyRespondent) == 0 and _count(SurveyAnswer) == 0


def test_results_only_once_closed(admin, group, today):
    members, _ = group
    survey = make_survey(admin)
    services.send_survey(admin, survey, today)
    answer_all(survey, members)

    assert results.survey_results(survey, 5, with_text=True) is None


def test_no_figure_from_fewer_than_five_answers(admin, group):
    members, _ = group
    survey = make_survey(admin)
    send_and_close(admin, survey, lambda s: answer_all(s, members[:4], text="Hidden"))

    found = results.survey_results(survey, 5, with_text=True)

    assert found.respondents is None
    scale, choice, text = found.questions
    assert scale.counted.n is None and scale.counted.average is None
    assert set(choice.counted.counts.values()) == {None}
    assert text.texts == []  # too few answered for free text even to the reports role


def test_a_small_count_hides_another_so_it_cannot_be_subtracted(admin, group):
    members, _ = group
    survey = make_survey(admin)

    def answer(s):
        answer_all(s, members[:5], choice=0, scale=5)
        answer_all(s, members[5:], choice=1, scale=3)

    send_and_close(admin, survey, answer)
    found = results.survey_results(survey, 5, with_text=False)

    scale, choice, _text = found.questions
    assert found.respondents == 6 and scale.counted.n == 6
    assert str(scale.counted.average) == "4.7"
    # one answer for option 1 (hidden), so 5 for option 0 is hidden too: the total is 6
    assert choice.counted.counts == {0: None, 1: None, 2: 0}
    assert scale.counted.counts[5] is None and scale.counted.counts[3] is None


def test_free_text_goes_to_the_reports_role_only(client, admin, reports_user, group):
    members, _ = group
    survey = make_survey(admin)
    send_and_close(admin, survey, lambda s: answer_all(s, members, text="More sparring, please"))
    url = f"/surveys/{survey.id}/results"

    client.login(reports_user)
    assert "More sparring, please" in client.get(url).text
    client.login(admin)
    page = client.get(url)
    assert page.status_code == 200 and "More sparring, please" not in page.text
    assert "How useful was the network?" in page.text


def test_a_coordinator_surveys_the_people_of_their_own_subject_only(group, make_user):
    _members, coordinator = group

    assert services.can_build(coordinator, "test_group", 7)
    assert not services.can_build(coordinator, "test_group", 8)
    assert not services.can_build(coordinator, "all_staff", None)
    survey = make_survey(coordinator)
    assert survey.subject_kind == "testnet" and survey.subject_id == 7
    with pytest.raises(NotPermitted):
        services.create_survey(
            coordinator,
            services.SurveyInput("X", "other", "test_group", 8, [QuestionInput("scale", "Q?")]),
        )


def test_a_choice_question_needs_two_options_and_the_form_says_so(client, admin, group):
    client.login(admin)
    page = client.post(
        "/surveys/new",
        data={
            "title": "Needs",
            "kind": "needs",
            "population": "test_group:7",
            "questions-0-kind": "choice",
            "questions-0-text": "Which network?",
            "questions-0-options": "Only one",
        },
    )

    assert page.status_code == 200
    assert "give a choice question 2 to 10 options" in page.text
    assert _count(Survey) == 0


def test_answering_through_the_page(client, admin, group):
    members, _ = group
    survey = make_survey(admin)
    client.login(admin)
    client.post(f"/surveys/{survey.id}/send", data={"confirmed": "yes"})
    scale_q, choice_q, text_q = survey.questions
    client.login(members[0])

    form = client.get(f"/surveys/{survey.id}/answer").text
    assert "How useful was the network?" in form
    sent = client.post(
        f"/surveys/{survey.id}/answer",
        data={f"q{scale_q.id}": "4", f"q{choice_q.id}": "2", f"q{text_q.id}": "Fine"},
    )
    again = client.get(f"/surveys/{survey.id}/answer")

    assert sent.status_code == 302
    assert "You have answered this survey" in again.text
    stored = db.session.execute(select(SurveyAnswer.value, SurveyAnswer.text)).all()
    assert sorted(stored, key=str) == sorted([(4, ""), (2, ""), (None, "Fine")], key=str)


def test_a_survey_not_sent_to_you_is_not_found(client, admin, group, make_user):
    survey = make_survey(admin)
    services.send_survey(admin, survey, survey.created_at.date())
    db.session.commit()
    client.login(make_user())

    assert client.get(f"/surveys/{survey.id}/answer").status_code == 404


def test_the_same_person_answering_at_once_in_ten_threads_answers_once(app, admin, group, today):
    import threading

    from lahti_pool.accounts.models import User

    members, _ = group
    survey = make_survey(admin)
    services.send_survey(admin, survey, today)
    db.session.commit()
    survey_id, user_id = survey.id, members[0].id
    scale_q, choice_q, _text = (q.id for q in survey.questions)
    db.session.remove()
    barrier, outcomes, lock = threading.Barrier(10), [], threading.Lock()

    def run():
        with app.app_context():
            person, target = db.session.get(User, user_id), db.session.get(Survey, survey_id)
            assert target.questions  # loaded before the race
            barrier.wait()
            try:
                services.answer_survey(person, target, {scale_q: 3, choice_q: 1})
                db.session.commit()
                ok = True
            except DomainError:
                db.session.rollback()
                ok = False
            finally:
                db.session.remove()
            with lock:
                outcomes.append(ok)

    threads = [threading.Thread(target=run) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == [False] * 9 + [True]
    assert _count(SurveyRespondent) == 1 and _count(SurveyAnswer) == 2


def test_non_users_are_staff_without_a_held_session_in_the_last_year(
    admin, staff, other_staff, supervisor, school_year, today
):
    from datetime import UTC, datetime, timedelta

    from lahti_pool.matching.services import create_process
    from lahti_pool.requests.rules import RequestStatus
    from lahti_pool.requests.services import (
        RequestInput,
        change_status,
        submit_individual_request,
    )
    from lahti_pool.sessions.models import SessionAttendance, SessionStatus, SupervisionSession
    from lahti_pool.surveys.populations import non_users

    sup_request = submit_individual_request(
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=2,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    change_status(admin, sup_request, RequestStatus.MATCHED)
    process = create_process(admin, sup_request, supervisor, 2, rule="ranking", grounds=[]).process
    held = SupervisionSession(
        process_id=process.id,
        starts_at=datetime.now(UTC) - timedelta(days=1),
        on_date=today - timedelta(days=1),
        duration_minutes=60,
        mode="video",
        status=SessionStatus.HELD,
        attendance=[SessionAttendance(user_id=staff.id, attended=True)],
    )
    db.session.add(held)
    db.session.commit()

    assert set(db.session.scalars(non_users())) == {other_staff.id}


def test_junk_input_gets_a_message_and_changes_nothing(client, admin, group, today):
    members, _ = group
    survey = make_survey(admin)
    services.send_survey(admin, survey, today)
    db.session.commit()
    scale_q, choice_q, text_q = survey.questions
    client.login(members[0])

    for junk in ("abc", "99999999999999999999", "-1", "7"):
        page = client.post(
            f"/surveys/{survey.id}/answer",
            data={f"q{scale_q.id}": junk, f"q{choice_q.id}": "0"},
        )
        assert page.status_code == 200
        assert "Answer every question that has options." in page.text
    too_long = client.post(
        f"/surveys/{survey.id}/answer",
        data={f"q{scale_q.id}": "3", f"q{choice_q.id}": "0", f"q{text_q.id}": "x" * 2001},
    )
    assert "Write at most 2000 characters." in too_long.text
    assert _count(SurveyRespondent) == 0 and _count(SurveyAnswer) == 0
    client.login(admin)
    assert client.get("/reports/mapping?start=junk&end=2026-13-45").status_code == 200
    assert client.get("/surveys/999999").status_code == 404
    page = client.post("/surveys/new", data={"title": "X", "kind": "needs", "population": "x:1"})
    assert page.status_code == 200 and _count(Survey) == 1
