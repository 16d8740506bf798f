"""Irreversible one-click actions ask first, on a page that works without JavaScript and
passes axe; the override page lists the eligible supervisors first."""

from sqlalchemy import func, select

from lahti_pool.extensions import db
from lahti_pool.sessions.models import SupervisionProcess
from tests.tests_support import PASSWORD


def _waiting_requests(people, school_year, today):
    from lahti_pool.requests.services import RequestInput, submit_individual_request

    for person in people:
        submit_individual_request(
            person,
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


def _processes() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(SupervisionProcess))


def test_accept_all_asks_first_and_the_override_page_explains_each_supervisor(
    visitor, admin, staff, other_staff, supervisor, make_supervisor, unit, school_year, today
):
    make_supervisor(rank=9, unit_id=unit.id, name="Conflicted Supervisor")
    _waiting_requests([staff, other_staff], school_year, today)
    visitor.login(admin.email, PASSWORD)
    visitor.goto("/admin/matching/")
    page = visitor.page
    page.get_by_role("button", name="Run matching").click()
    page.wait_for_load_state()

    page.get_by_role("link", name=f"Choose another supervisor ({staff.name})").click()
    page.wait_for_load_state()
    visitor.check()  # the override page
    assert "Conflicted Supervisor: conflict of interest with the unit" in page.content()

    visitor.goto("/admin/matching/")
    page.get_by_role("link", name="Accept all proposed assignments").click()
    page.wait_for_load_state()
    visitor.check()  # the confirmation page
    assert "2 requests are accepted with their proposed supervisors" in page.content()
    page.get_by_role("link", name="No, back to matching").click()
    page.wait_for_load_state()
    assert _processes() == 0

    page.get_by_role("link", name="Accept all proposed assignments").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Yes, accept all").click()
    page.wait_for_load_state()
    visitor.check()
    assert "2 assignments accepted." in page.content()
    assert _processes() == 2
