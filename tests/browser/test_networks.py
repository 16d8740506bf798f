"""Peer networks in Chromium, every page checked by axe-core: a staff member joins a
themed network, registers for its event and posts on its board; the coordinator sees the
participants and hides a post; the administrator's network page."""

from datetime import timedelta

from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.networks import events, services
from lahti_pool.networks.models import BoardPost, EventRegistration, NetworkKind, RegistrationStatus
from lahti_pool.networks.rules import EventInput
from lahti_pool.organisation.models import Venue
from lahti_pool.sessions.rules import LOCAL_TZ


def test_staff_member_joins_registers_and_posts(visitor, admin, staff, make_user):
    coordinator = make_user(name="Kaisa Coordinator")
    network = services.create_network(
        admin, "Pedagogical leadership", NetworkKind.THEMED, "For principals", None
    )
    services.grant_coordinator(admin, network, coordinator.email)
    services.join(coordinator, network, utcnow())
    venue = Venue(name="City hall", address="Harjukatu 31, Lahti", accessibility_note="Step-free")
    db.session.add(venue)
    db.session.flush()
    local = (utcnow() + timedelta(days=6)).astimezone(LOCAL_TZ)
    data = EventInput("workshop", "Leading learning", local.date(), local.time(), 120, 1, venue.id)
    event = events.create_event(coordinator, network, data, utcnow())
    db.session.commit()

    visitor.login(staff.email, PASSWORD)
    page = visitor.page
    page.get_by_role("link", name="Peer networks").first.click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("link", name="Pedagogical leadership").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("button", name="Join the network").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Welcome to the network Pedagogical leadership." in page.content()
    page.get_by_role("link", name="Leading learning").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    visitor.check()
    assert "You are registered." in page.content()
    row = db.session.scalar(select(EventRegistration).where(EventRegistration.user_id == staff.id))
    assert row.status == RegistrationStatus.REGISTERED
    page.get_by_role("link", name="Pedagogical leadership").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Discussion board").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_label("Message").fill("Who has tried **peer observation**?")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_load_state()
    visitor.check()
    assert "<strong>peer observation</strong>" in page.content()
    assert db.session.scalar(select(BoardPost)).author_id == staff.id
    visitor.logout()

    visitor.login(coordinator.email, PASSWORD)
    visitor.goto(f"/networks/events/{event.id}")
    assert "Sanna Staff" in page.content()
    visitor.goto(f"/networks/{network.id}/board")
    page.get_by_label("Reason for hiding").fill("Moved to the workshop")
    page.get_by_role("button", name="Hide").click()
    page.wait_for_load_state()
    visitor.check()
    assert "Hidden by the coordinator: Moved to the workshop" in page.content()
    visitor.logout()

    visitor.login(admin.email, PASSWORD)
    visitor.goto("/admin/networks")
    visitor.goto(f"/admin/networks/{network.id}")
