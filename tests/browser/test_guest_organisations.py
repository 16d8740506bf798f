"""The administrator adds a guest organisation and invites an official; the official sets
a password through the e-mailed link and finds a limited account: their groups, their
sessions and a group request, nothing of the city's staff pages. Every page passes axe."""

import re

from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db

NEW_PASSWORD = "kolme pientä porsasta"


def test_the_administrator_adds_an_organisation_and_invites_an_official(visitor, admin):
    page = visitor.page
    visitor.login(admin.email, PASSWORD)
    page.get_by_role("link", name="Guest organisations").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("link", name="Add an organisation").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_label("Name").fill("Hollolan kunta")
    page.get_by_label("Business ID").fill("1634530-2")
    page.get_by_label("Cost-centre code").fill("HOL")
    page.get_by_label("Contact person", exact=True).fill("Kaisa Contact")
    page.get_by_label("Invoice address").fill("Virastotie 3, 15870 Hollola")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    visitor.check()
    assert "The organisation is added." in page.content()
    assert "Cost centre HOL." in page.content()

    invite = page.locator("form", has=page.get_by_role("button", name="Invite"))
    invite.get_by_label("Name").fill("Heli Hollola")
    invite.get_by_label("E-mail").fill("heli@hollola.fi")
    invite.get_by_role("button", name="Invite").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Heli Hollola is invited" in page.content()
    assert "Invited, no password yet" in page.content()
    visitor.logout()

    db.session.rollback()  # see what the app committed
    mail = db.session.scalar(select(MailMessage).where(MailMessage.to_address == "heli@hollola.fi"))
    path = re.search(r"/password/link/[A-Za-z0-9_.\-]+", mail.body_text).group(0)
    visitor.goto(path)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the password").click()
    page.wait_for_load_state()
    visitor.check()

    if "/my-groups" not in page.url:  # the link may sign in, or send to the login page
        visitor.login("heli@hollola.fi", NEW_PASSWORD)
    assert page.url.endswith("/my-groups")
    nav = page.get_by_role("navigation", name="Main")
    links = [a.inner_text().strip() for a in nav.locator("a.nav-link").all()]
    assert links[:3] == ["My groups", "My sessions", "Request group supervision"]
    for staff_page in ("My supervision", "Request supervision", "On-duty slots", "Matching"):
        assert staff_page not in links
    visitor.goto("/my-sessions")
    visitor.goto("/requests/new/group")
