"""The main journeys of every role, end to end in Chromium, every page checked by axe-core."""

from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.extensions import db
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.rules import RequestStatus


def test_staff_member_requests_individual_supervision(visitor, staff, supervisor, school_year):
    visitor.login(staff.email, PASSWORD)
    page = visitor.page
    assert "10" in page.locator(".quota-figure").inner_text()
    page.get_by_role("link", name="Request individual supervision").first.click()
    visitor.check()
    page.get_by_label("Number of sessions").fill("4")
    page.get_by_label("Video meeting").check()
    page.get_by_label("Preferred supervisor").select_option(label=supervisor.name)
    page.get_by_label("What matter or situation would you like to work on in supervision?").fill(
        "Luokan työrauha"
    )
    page.get_by_role("button", name="Send request").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Your request has been sent" in page.content()
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert sup_request.status == RequestStatus.SUBMITTED
    visitor.goto("/dashboard")
    assert "6" in page.locator(".quota-figure").inner_text()
    # Switch language from the header and back.
    page.get_by_role("button", name="Suomeksi").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.locator("html").get_attribute("lang") == "fi"


def test_group_invitation_is_seen_and_declined(visitor, staff, make_user, school_year):
    colleagues = [make_user(name=f"Kollega {i}") for i in range(3)]
    visitor.login(staff.email, PASSWORD)
    visitor.goto("/requests/new/group")
    page = visitor.page
    page.get_by_label("Name of the group").fill("Alkuopettajat")
    page.get_by_label("Colleagues' e-mail addresses").fill("\n".join(c.email for c in colleagues))
    page.get_by_label("Number of sessions").fill("5")
    page.get_by_label("On site").check()
    page.get_by_role("button", name="Send request").click()
    page.wait_for_load_state()
    visitor.check()
    visitor.logout()
    visitor.login(colleagues[0].email, PASSWORD)
    assert "Alkuopettajat" in page.content()
    visitor.goto("/notifications")
    page.get_by_role("link", name="invited you").first.click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("link", name="Decline the invitation").click()
    page.wait_for_load_state()
    visitor.check()  # the confirmation page
    assert "You leave the group “Alkuopettajat”" in page.content()
    page.get_by_role("button", name="Yes, decline the invitation").click()
    page.wait_for_load_state()
    visitor.check()
    assert "declined the group invitation" in page.content()


def test_admin_runs_matching_and_accepts(visitor, admin, staff, supervisor, school_year, today):
    from lahti_pool.requests.services import RequestInput, submit_individual_request

    submit_individual_request(
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=3,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    db.session.commit()
    visitor.login(admin.email, PASSWORD)
    visitor.goto("/admin/matching/")
    page = visitor.page
    page.get_by_role("button", name="Run matching").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("button", name=f"Accept {staff.name}").click()
    page.wait_for_load_state()
    visitor.check()
    assert "The assignment is accepted" in page.content()
    for path in (
        "/admin/matching/capacity",
        "/admin/requests",
        "/admin/users/",
        "/admin/settings/",
        "/admin/supervisors/",
        "/admin/audit",
    ):
        visitor.goto(path)


def test_a_matching_run_in_progress_is_shown_accessibly(visitor, admin, school_year):
    from lahti_pool.core.models import utcnow
    from lahti_pool.matching import runs
    from lahti_pool.matching.eligibility import Policy
    from lahti_pool.matching.models import JobStatus

    job = runs.request_run(admin, school_year, Policy.RANKING, utcnow())
    job.status, job.step = JobStatus.RUNNING, "serve"
    db.session.commit()
    visitor.login(admin.email, PASSWORD)
    visitor.goto("/admin/matching/")
    assert "is in progress: serving as many requests as possible" in visitor.page.content()
    visitor.check()


def _tab_to(page, text: str, limit: int = 120) -> None:
    """Move the keyboard focus with Tab until it reaches the element whose text has ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        # a table's scrollable region takes the focus too (WCAG 2.1.1); its text is the
        # whole table's, so it is passed over
        focused = page.evaluate(
            "() => document.activeElement.getAttribute('role') === 'region' ? '' :"
            " (document.activeElement.innerText || document.activeElement.value || '')"
            " + ' ' + (document.activeElement.getAttribute('aria-label') || '')"
            " + ' ' + (document.activeElement.labels && document.activeElement.labels[0]"
            " ? document.activeElement.labels[0].innerText : '')"
        )
        if text in focused:
            return
    raise AssertionError(f"the keyboard never reached {text!r}")


def test_on_duty_booking_works_with_the_keyboard_alone(visitor, staff, supervisor, school_year):
    from datetime import UTC, datetime, timedelta

    from lahti_pool.slots.models import OnDutySlot

    starts = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    db.session.add(
        OnDutySlot(
            supervisor_id=supervisor.id, starts_at=starts, on_date=starts.date(), mode="video"
        )
    )
    db.session.commit()
    page = visitor.page
    visitor.goto("/login")
    _tab_to(page, "E-mail")
    page.keyboard.type(staff.email)
    _tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visitor.goto("/slots/")
    _tab_to(page, "Book")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visitor.check()
    for answer in ("Kiire", "Kokeiltu", "Selkeyttä"):
        page.keyboard.press("Tab")
        while page.evaluate("document.activeElement.tagName") != "TEXTAREA":
            page.keyboard.press("Tab")
        page.keyboard.type(answer)
    _tab_to(page, "Book this slot")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visitor.check()
    slot = db.session.scalar(select(OnDutySlot))
    assert slot.booked_by_id == staff.id


def test_supervisor_plans_and_logs_and_admin_approves(
    visitor, admin, staff, supervisor, school_year, today
):
    from datetime import UTC, datetime

    from lahti_pool.matching.services import create_process
    from lahti_pool.requests.services import RequestInput, change_status, submit_individual_request
    from lahti_pool.sessions.models import ApprovalStatus, SupervisionSession
    from lahti_pool.sessions.services import SessionInput, plan_session

    sup_request = submit_individual_request(
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=4,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    change_status(admin, sup_request, RequestStatus.MATCHED)
    process = create_process(admin, sup_request, supervisor, 4, rule="ranking", grounds=[]).process
    # yesterday in Helsinki: "today at 7.00" is still to come between midnight and 7.00
    from datetime import time as dtime
    from datetime import timedelta as tdelta

    from lahti_pool.slots.rules import local_date

    past = max(local_date(datetime.now(UTC)) - tdelta(days=1), school_year.starts_on)

    plan_session(
        admin,
        process,
        SessionInput(on_date=past, at=dtime(7, 0), duration_minutes=60, mode="video"),
        datetime.now(UTC),
    )
    db.session.commit()
    visitor.login(supervisor.user.email, PASSWORD)
    page = visitor.page
    visitor.goto(f"/processes/{process.id}")
    visitor.goto(f"/processes/{process.id}/sessions/new")
    page.get_by_label("Date").fill(str(school_year.ends_on.replace(day=1)))
    page.get_by_label("Start time").fill("14:00")
    page.get_by_role("button", name="Plan the session").click()
    page.wait_for_load_state()
    visitor.check()
    logged = db.session.scalar(select(SupervisionSession).order_by(SupervisionSession.starts_at))
    visitor.goto(f"/sessions/{logged.id}/log")
    page.get_by_label("What happened").select_option("held")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    visitor.check()
    visitor.logout()
    visitor.login(admin.email, PASSWORD)
    visitor.goto("/admin/approvals")
    page.get_by_role("button", name="Approve").first.click()
    page.wait_for_load_state()
    visitor.check()
    db.session.refresh(logged)
    assert logged.approval == ApprovalStatus.APPROVED
    for path in (
        "/budget",
        "/admin/budgets",
        "/admin/statements",
        "/slots/utilisation",
        "/admin/mail",
    ):
        visitor.goto(path)


def test_reports_user_reads_aggregates(
    visitor, reports_user, make_supervisor, division, reported_month
):
    from lahti_pool.feedback.models import FeedbackResponse

    sup = make_supervisor()
    for i in range(6):
        db.session.add(
            FeedbackResponse(
                supervisor_id=sup.id,
                division_id=division.id,
                month=reported_month,
                kind="individual",
                usefulness=4 + i % 2,
                atmosphere=5,
                arrangements=4,
            )
        )
    db.session.commit()
    visitor.login(reports_user.email, PASSWORD)
    for path in (
        "/reports/feedback",
        "/budget",
        "/slots/utilisation",
        "/supervisors/",
        "/privacy",
        "/accessibility",
        "/account/",
    ):
        visitor.goto(path)
    visitor.goto("/reports/feedback?by=division")
    assert "Basic education" in visitor.page.content()
