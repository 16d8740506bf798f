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
    page.get_by_role("button", name="Decline the invitation").click()
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
