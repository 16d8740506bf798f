"""Issue 20 in Chromium, every page checked by axe-core: a unit manager orders group
supervision for the team; the administrator writes a service page with preview and sends a
prepared message to a unit's managers; a stop link works without login."""

from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.accounts.models import Role
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.nudges.models import NudgeKind
from lahti_pool.nudges.services import preferences, stop_token
from lahti_pool.organisation.job_groups import JobGroup
from lahti_pool.organisation.models import Unit
from lahti_pool.requests.models import MemberStatus, SupervisionRequest


def test_manager_orders_group_supervision_for_the_team(visitor, make_user, division, school_year):
    manager = make_user(name="Pia Principal", job_title="Rehtori", job_group=JobGroup.PRINCIPAL)
    team = [make_user(name=f"Opettaja {i}") for i in range(3)]
    elsewhere = Unit(code="MUU", name="Muun koulu", division=division)
    db.session.add(elsewhere)
    db.session.commit()
    outsider = make_user(name="Ulla Outsider", unit_id=elsewhere.id)

    visitor.login(manager.email, PASSWORD)
    page = visitor.page
    page.get_by_role("link", name="Order group supervision for your team").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_label("Name of the group").fill("Kolmosluokkien opettajat")
    members = page.get_by_label("Team members' e-mail addresses")
    members.fill("\n".join([*(m.email for m in team), outsider.email]))
    page.get_by_label("Number of sessions").fill("4")
    page.get_by_label("On site").check()
    page.get_by_role("button", name="Send the order").click()
    page.wait_for_load_state()
    visitor.check()  # the error page, too
    assert "These people are not in your unit, Kivimaan koulu" in page.content()
    assert db.session.scalar(select(SupervisionRequest)) is None
    page.get_by_label("Team members' e-mail addresses").fill("\n".join(m.email for m in team))
    page.get_by_role("button", name="Send the order").click()
    page.wait_for_load_state()
    visitor.check()
    assert "the unit's manager, ordering for the team" in page.content()
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert sup_request.team_order
    assert {m.status for m in sup_request.members} == {MemberStatus.INVITED}
    visitor.logout()
    visitor.login(team[0].email, PASSWORD)
    assert "Pia Principal invited you to “Kolmosluokkien opettajat”" in page.content()


def test_admin_writes_a_service_page_that_staff_read(visitor, admin, staff, school_year):
    visitor.login(admin.email, PASSWORD)
    page = visitor.page
    page.get_by_role("link", name="Service pages").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("link", name="Write (Frequently asked questions, Finnish)").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_label("Title").fill("Usein kysyttyä")
    page.get_by_label("Text").fill(
        "## Tarvitsenko luvan?\n\nEt. [Työterveyslaitos](https://www.ttl.fi/)\n\n"
        "[vaarallinen](javascript:alert(1)) <script>alert(1)</script>"
    )
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("heading", name="Tarvitsenko luvan?").is_visible()
    assert page.locator("a[href^='javascript']").count() == 0
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    visitor.check()
    visitor.logout()
    visitor.login(staff.email, PASSWORD)
    page.get_by_role("link", name="Usein kysyttyä").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("link", name="Työterveyslaitos").get_attribute("href") == (
        "https://www.ttl.fi/"
    )
    assert page.locator("a[href^='javascript']").count() == 0


def test_admin_sends_a_prepared_message_and_a_manager_stops_them(
    visitor, admin, make_user, school_year
):
    for _ in range(5):
        make_user()
    manager = make_user(name="Gustav Granted", roles={Role.STAFF, Role.MANAGER})
    visitor.login(admin.email, PASSWORD)
    page = visitor.page
    page.get_by_role("link", name="Low uptake").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("link", name="Prepare a message").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_label("Subject").fill("Työnohjaus tiimillesi")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("button", name="Send to the managers").click()
    page.wait_for_load_state()
    visitor.check()
    assert "The message is queued to 1 managers." in page.content()
    (mail,) = db.session.scalars(select(MailMessage).where(MailMessage.kind == "nudge_unit_uptake"))
    assert mail.to_user_id == manager.id and mail.subject == "Työnohjaus tiimillesi"
    visitor.logout()
    visitor.goto(f"/nudges/stop/{stop_token(manager.id, NudgeKind.UNIT_UPTAKE)}")
    page.get_by_role("button", name="Stop these e-mails").click()
    page.wait_for_load_state()
    visitor.check()
    assert "You no longer get" in page.content()
    assert preferences(manager.id)[NudgeKind.UNIT_UPTAKE] is False
