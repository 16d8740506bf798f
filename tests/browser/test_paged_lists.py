"""Long lists split into pages stay accessible: the pagers, the year filter, the comments."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from tests_support import PASSWORD

from lahti_pool.extensions import db
from lahti_pool.feedback.models import FeedbackResponse
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions.models import (
    ProcessMember,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.sessions.rules import local_date
from lahti_pool.slots.models import OnDutySlot
from lahti_pool.slots.rules import local_start, week_start


def _processes(supervisor, staff, school_year, n: int) -> SupervisionProcess:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for i in range(n):
        process = SupervisionProcess(
            supervisor_id=supervisor.id,
            school_year_id=school_year.id,
            kind=RequestKind.INDIVIDUAL,
            sessions_granted=60,
            price_cents=9000,
            vat_percent=Decimal("25.5"),
            rule="ranking",
            grounds=[],
            members=[ProcessMember(user_id=staff.id)],
        )
        db.session.add(process)
        db.session.flush()
        for days in (-i - 1, i + 1):  # one to log, one coming
            starts_at = now + timedelta(days=days)
            db.session.add(
                SupervisionSession(
                    process_id=process.id,
                    starts_at=starts_at,
                    on_date=local_date(starts_at),
                    duration_minutes=60,
                    mode="video",
                    status=SessionStatus.PLANNED,
                )
            )
    db.session.commit()
    return process


def _feedback(supervisor, month, n):
    for i in range(n):
        db.session.add(
            FeedbackResponse(
                supervisor_id=supervisor.id,
                division_id=None,
                month=month,
                kind="individual",
                usefulness=4,
                atmosphere=5,
                arrangements=3,
                comment=f"Comment {i}",
            )
        )
    db.session.commit()


def test_the_supervisors_paged_lists_are_accessible(
    visitor, supervisor, staff, school_year, reported_month
):
    _processes(supervisor, staff, school_year, 51)
    _feedback(supervisor, reported_month, 60)
    visitor.login(supervisor.user.email, PASSWORD)  # lands on the workspace, checked
    assert "more sessions to log" in visitor.page.content()
    visitor.goto("/workspace?page=2")
    visitor.page.get_by_label("School year", exact=True).select_option(str(school_year.id))
    visitor.page.get_by_role("button", name="Show").click()
    visitor.page.wait_for_load_state()
    visitor.check()
    visitor.goto("/feedback/mine")  # their figures; the comments go to the reports only


def test_the_paged_feedback_comments_are_accessible(
    visitor, reports_user, supervisor, reported_month
):
    _feedback(supervisor, reported_month, 60)
    visitor.login(reports_user.email, PASSWORD)
    visitor.goto("/reports/feedback?by=supervisor&comments=2")
    assert "Comment 9" in visitor.page.content()


def test_the_staff_members_paged_sessions_are_accessible(visitor, supervisor, staff, school_year):
    _processes(supervisor, staff, school_year, 51)
    visitor.login(staff.email, PASSWORD)
    visitor.goto("/my-sessions")
    visitor.goto("/my-sessions?page=2&coming=2")


def test_the_paged_utilisation_report_is_accessible(visitor, reports_user, supervisor):
    monday = week_start(local_date(datetime.now(UTC))) - timedelta(weeks=60)
    for week in range(51):
        starts_at = local_start(monday + timedelta(weeks=week), time(10))
        db.session.add(
            OnDutySlot(
                supervisor_id=supervisor.id,
                starts_at=starts_at,
                on_date=local_date(starts_at),
                mode="video",
                duration_minutes=60,
            )
        )
    db.session.commit()
    visitor.login(reports_user.email, PASSWORD)
    last = monday + timedelta(weeks=51)
    visitor.goto(f"/slots/utilisation?start={monday.isoformat()}&end={last.isoformat()}&page=2")
