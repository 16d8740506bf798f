"""Clients give feedback once; reports show only what five answers stand behind."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.extensions import db
from lahti_pool.feedback import services
from lahti_pool.feedback.models import FeedbackInvitation, FeedbackResponse
from lahti_pool.feedback.rules import term_of
from lahti_pool.feedback.services import invite_feedback
from lahti_pool.matching.services import create_process
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import RequestInput, change_status, submit_individual_request
from lahti_pool.sessions.models import SessionAttendance, SessionStatus, SupervisionSession


@pytest.fixture
def held_session(admin, staff, supervisor, school_year, today):
    """A held individual session of ``staff`` with ``supervisor``."""

    def factory(client_user=staff, sup=supervisor):
        sup_request = submit_individual_request(
            client_user,
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
        process = create_process(admin, sup_request, sup, 2, rule="ranking", grounds=[]).process
        when = datetime.now(UTC) - timedelta(days=1)
        sup_session = SupervisionSession(
            process_id=process.id,
            starts_at=when,
            on_date=when.date(),
            duration_minutes=60,
            mode="video",
            status=SessionStatus.HELD,
            price_cents=process.price_cents,
            attendance=[SessionAttendance(user_id=client_user.id, attended=True)],
        )
        db.session.add(sup_session)
        db.session.flush()
        invitation = invite_feedback(sup_session)[0]
        db.session.commit()
        return invitation

    return factory


ANSWER = {
    "usefulness": "5",
    "atmosphere": "4",
    "arrangements": "3",
    "availability": "2",
    "comment": "Hyvä!",
}


def test_client_gives_feedback_once_and_it_is_stored_without_their_identity(
    client, staff, held_session
):
    invitation = held_session()
    client.login(staff)
    assert client.get(f"/feedback/{invitation.id}").status_code == 200
    assert client.post(f"/feedback/{invitation.id}", data=ANSWER).status_code == 302
    response = db.session.scalar(select(FeedbackResponse))
    assert (response.usefulness, response.atmosphere, response.arrangements) == (5, 4, 3)
    assert response.availability == 2
    columns = set(FeedbackResponse.__table__.columns.keys())
    assert not columns & {"user_id", "session_id", "created_at"}
    assert response.month.day == 1
    # A second post (double click, back button) stores nothing more.
    client.post(f"/feedback/{invitation.id}", data=ANSWER)
    assert db.session.scalar(select(func.count()).select_from(FeedbackResponse)) == 1


def test_feedback_for_somebody_elses_session_is_not_found(client, other_staff, held_session):
    invitation = held_session()
    client.login(other_staff)
    assert client.post(f"/feedback/{invitation.id}", data=ANSWER).status_code == 404
    assert db.session.scalar(select(FeedbackResponse)) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"usefulness": "6"},
        {"atmosphere": ""},
        {"comment": "x" * 2001},
        {"availability": ""},
        {"availability": "0"},
    ],
)
def test_bad_feedback_is_refused(client, staff, held_session, bad):
    invitation = held_session()
    client.login(staff)
    response = client.post(f"/feedback/{invitation.id}", data={**ANSWER, **bad})
    assert response.status_code == 200
    assert db.session.scalar(select(FeedbackResponse)) is None
    assert not db.session.get(FeedbackInvitation, invitation.id).answered


def _responses(supervisor, division, n, month, comment="", availability=None):
    for i in range(n):
        db.session.add(
            FeedbackResponse(
                supervisor_id=supervisor.id,
                division_id=division.id,
                month=month,
                kind="individual",
                usefulness=4 + i % 2,
                atmosphere=5,
                arrangements=3,
                availability=availability,
                comment=comment,
            )
        )
    db.session.commit()


def test_the_availability_question_is_reported_only_from_five_answers_to_it(
    client, reports_user, make_supervisor, division, reported_month
):
    a, b, c = (make_supervisor(name=n) for n in ("Aila", "Bertta", "Cecilia"))
    _responses(a, division, 6, reported_month, availability=2)
    # Bertta's answers predate the question but for three: too few to average.
    _responses(b, division, 5, reported_month)
    _responses(b, division, 3, reported_month, availability=5)
    _responses(c, division, 9, reported_month, availability=4)
    client.login(reports_user)
    text = client.get("/reports/feedback.csv", query_string={"by": "supervisor"}).get_data(
        as_text=True
    )
    lines = {line.split(",")[0]: line.split(",") for line in text.strip().splitlines()}
    # Bertta's three are hidden, and so is the smallest other (Aila's six): otherwise the
    # total's average would give Bertta's away.
    assert lines["Bertta"][-1] == "" and lines["Aila"][-1] == ""
    assert lines["Cecilia"][-1] == "4.0"
    assert lines["all"][-1] == "3.5"  # (6*2 + 3*5 + 9*4) / 18
    page = client.get("/reports/feedback", query_string={"by": "supervisor"})
    assert "Availability" in page.get_data(as_text=True)


def test_report_hides_groups_under_five_and_their_complement(
    client, reports_user, make_supervisor, division, reported_month
):
    a, b, c = (make_supervisor(name=n) for n in ("Aila", "Bertta", "Cecilia"))
    month = reported_month
    _responses(a, division, 12, month, comment="Erittäin hyödyllinen")
    _responses(b, division, 3, month, comment="SECRET-SMALL-GROUP")
    _responses(c, division, 7, month)
    client.login(reports_user)
    page = client.get("/reports/feedback", query_string={"by": "supervisor"}).get_data(as_text=True)
    assert "Aila" in page and "12" in page
    assert page.count("hidden: too few answers") == 2  # Bertta (3) and Cecilia (7)
    assert "SECRET-SMALL-GROUP" not in page
    assert "Erittäin hyödyllinen" in page
    assert "22" in page  # the total of all answers is shown
    text = client.get(
        "/reports/feedback.csv",
        query_string={"by": "supervisor"},
    ).get_data(as_text=True)
    lines = text.strip().splitlines()
    assert any(line.startswith("Aila,12,") for line in lines)
    assert any(line.startswith("Bertta,,") for line in lines)
    assert any(line.startswith("Cecilia,,") for line in lines)


def test_supervisor_sees_only_their_own_aggregates(
    client, make_supervisor, division, reported_month
):
    own, other = make_supervisor(name="Oma"), make_supervisor(name="Toinen")
    month = reported_month
    _responses(own, division, 4, month)
    _responses(other, division, 9, month)
    client.login(own.user)
    page = client.get("/feedback/mine", query_string={"by": "division"}).get_data(as_text=True)
    assert "hidden: too few answers" in page  # their 4 answers are not enough
    assert "9" not in page.split("<table", 1)[-1].split("</table>")[0]


def test_logging_a_held_session_invites_the_attending_clients(
    admin, staff, supervisor, held_session
):
    """The sessions service invites feedback when the supervisor logs a session as held."""
    from datetime import UTC, datetime, timedelta

    from lahti_pool.sessions.services import LogInput, log_session

    invitation = held_session()
    process = db.session.get(SupervisionSession, invitation.session_id).process
    when = datetime.now(UTC) - timedelta(hours=3)
    planned = SupervisionSession(
        process_id=process.id,
        starts_at=when,
        on_date=when.date(),
        duration_minutes=60,
        mode="video",
        status=SessionStatus.PLANNED,
        price_cents=process.price_cents,
        attendance=[SessionAttendance(user_id=staff.id)],
    )
    db.session.add(planned)
    from lahti_pool.requests.quota import account_for, change_quota
    from lahti_pool.requests.rules import QuotaOp

    change_quota(account_for(staff.id, process.school_year), QuotaOp.PLAN)  # as planning does
    db.session.commit()
    log_session(
        supervisor.user,
        planned,
        LogInput(outcome=SessionStatus.HELD, duration_minutes=60),
        datetime.now(UTC),
    )
    db.session.commit()
    invited = db.session.scalars(
        select(FeedbackInvitation.user_id).where(FeedbackInvitation.session_id == planned.id)
    ).all()
    assert invited == [staff.id]


# --- Whole, closed terms; comments to the reports only -----------------------------


def test_the_report_covers_one_closed_term_and_ignores_dates_in_the_address(
    client, reports_user, make_supervisor, division, today, reported_month
):
    sup = make_supervisor(name="Aila")
    _responses(sup, division, 6, reported_month)
    # Answers of the current term, still open: in no report yet, whatever is asked.
    _responses(sup, division, 1, today.replace(day=1), comment="NOT-YET")
    client.login(reports_user)

    page = client.get(
        "/reports/feedback",
        query_string={"by": "supervisor", "start": today.replace(day=1), "end": today},
    ).text
    assert "<td>6</td>" in page and "<td>7</td>" not in page
    assert "NOT-YET" not in page
    current = term_of(today).key
    assert f'value="{current}"' not in page  # the open term is not offered
    asked = client.get("/reports/feedback", query_string={"term": current}).text
    assert "<td>6</td>" in asked and "NOT-YET" not in asked


def test_comments_are_shown_to_the_reports_undated_and_in_alphabetical_order(
    client, reports_user, make_supervisor, division, reported_month
):
    sup = make_supervisor(name="Aila")
    later = reported_month.replace(month=reported_month.month + 1)
    _responses(sup, division, 3, reported_month, comment="Zeta in the first month")
    _responses(sup, division, 3, later, comment="Alpha in the second month")
    client.login(reports_user)

    page = client.get("/reports/feedback", query_string={"by": "supervisor"}).text
    comments = page.split('id="comments-heading"', 1)[1]
    assert comments.index("Alpha in the second") < comments.index("Zeta in the first")
    for month in (reported_month, later):
        assert month.strftime("%B") not in comments


def test_the_supervisor_sees_their_figures_but_never_the_written_comments(
    client, make_supervisor, division, reported_month
):
    own = make_supervisor(name="Oma")
    _responses(own, division, 9, reported_month, comment="My principal bullies me")
    client.login(own.user)

    for by in ("division", "kind", "month"):
        page = client.get("/feedback/mine", query_string={"by": by}).text
        assert "<td>9</td>" in page or "hidden: too few answers" in page
        assert "bullies" not in page
        assert "comments-heading" not in page
    assert "<td>9</td>" in client.get("/feedback/mine", query_string={"by": "kind"}).text


def test_feedback_on_a_session_of_a_reported_term_is_closed(client, staff, held_session):
    invitation = held_session()
    sup_session = db.session.get(SupervisionSession, invitation.session_id)
    sup_session.on_date = sup_session.on_date - timedelta(days=400)
    db.session.commit()
    client.login(staff)

    assert "Feedback on this session closed on" in client.get(f"/feedback/{invitation.id}").text
    response = client.post(f"/feedback/{invitation.id}", data=ANSWER)
    assert "Feedback on this session closed on" in response.text
    assert db.session.scalar(select(func.count()).select_from(FeedbackResponse)) == 0
    assert not db.session.get(FeedbackInvitation, invitation.id).answered
    # A session logged that late invites nobody.
    db.session.execute(db.delete(FeedbackInvitation))
    assert services.invite_feedback(sup_session) == []
    assert db.session.scalar(select(func.count()).select_from(FeedbackInvitation)) == 0
    db.session.rollback()


def test_by_month_the_comments_are_one_alphabetical_list_under_no_month(
    client, reports_user, make_supervisor, division, reported_month
):
    sup = make_supervisor(name="Aila")
    later = reported_month.replace(month=reported_month.month + 1)
    _responses(sup, division, 5, reported_month, comment="Zeta in the first month")
    _responses(sup, division, 5, later, comment="Alpha in the second month")
    client.login(reports_user)

    page = client.get("/reports/feedback", query_string={"by": "month"}).text
    comments = page.split('id="comments-heading"', 1)[1]
    assert "<h3" not in comments.split("</section>", 1)[0]
    assert comments.index("Alpha in the second") < comments.index("Zeta in the first")
