"""Network events: registration up to the capacity, a waiting list whose first person
gets a freed place and is told, calendar invitations, a reminder the day before, and
attendance recorded by the coordinator."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lahti_pool.core.errors import DomainError, InvalidTransition, NotPermitted
from lahti_pool.core.jobs import run_daily_jobs
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.networks import events
from lahti_pool.networks.models import EventRegistration, RegistrationStatus
from lahti_pool.networks.rules import EventInput
from lahti_pool.sessions.rules import LOCAL_TZ, local_date


def _mails(user, kind=None):
    query = select(MailMessage).where(MailMessage.to_user_id == user.id)
    if kind:
        query = query.where(MailMessage.kind == kind)
    return db.session.scalars(query.order_by(MailMessage.id)).all()


def test_member_registers_and_gets_a_calendar_invitation(client, make_member, make_event, venue):
    event = make_event()
    member = make_member(name="Maija Member")
    client.login(member)
    response = client.post(f"/networks/events/{event.id}/register", follow_redirects=True)
    assert "You are registered" in response.get_data(as_text=True)
    (mail,) = _mails(member, "network_registration")
    assert mail.ics_method == "REQUEST"
    assert "BEGIN:VEVENT" in mail.ics and f"network-event-{event.id}@" in mail.ics
    assert "Harjukatu 31" in mail.ics  # the venue's address is the location
    assert "ATTENDEE" in mail.ics and member.email in mail.ics


def test_full_event_puts_the_next_on_the_waiting_list(make_member, make_event):
    event = make_event(capacity=1)
    first, second, third = make_member(), make_member(), make_member()
    assert events.register(first, event, utcnow()).status == RegistrationStatus.REGISTERED
    waiting = events.register(second, event, utcnow())
    later = events.register(third, event, utcnow())
    db.session.commit()
    assert waiting.status == later.status == RegistrationStatus.WAITING
    assert events.waiting_position(waiting) == 1 and events.waiting_position(later) == 2
    (mail,) = _mails(second, "network_waiting")
    assert "number 1" in mail.body_text and mail.ics == ""


def test_a_freed_place_goes_to_the_first_waiting_who_is_told(make_member, make_event):
    event = make_event(capacity=1)
    first, second, third = make_member(), make_member(), make_member()
    for person in (first, second, third):
        events.register(person, event, utcnow())
    db.session.commit()
    moved = events.cancel(first, event, utcnow())
    db.session.commit()
    assert moved.user_id == second.id
    statuses = {
        r.user_id: r.status
        for r in db.session.scalars(
            select(EventRegistration).where(EventRegistration.event_id == event.id)
        )
    }
    assert statuses == {
        first.id: RegistrationStatus.CANCELLED,
        second.id: RegistrationStatus.REGISTERED,
        third.id: RegistrationStatus.WAITING,
    }
    (told,) = _mails(second, "network_place_freed")
    assert told.ics_method == "REQUEST" and "now yours" in told.body_text
    (cancelled,) = _mails(first, "network_cancellation")
    assert cancelled.ics_method == "CANCEL" and "STATUS:CANCELLED" in cancelled.ics
    assert _mails(third, "network_place_freed") == []


def test_leaving_the_waiting_list_frees_no_place(make_member, make_event):
    event = make_event(capacity=1)
    first, second, third = make_member(), make_member(), make_member()
    for person in (first, second, third):
        events.register(person, event, utcnow())
    assert events.cancel(second, event, utcnow()) is None
    db.session.commit()
    assert events.waiting_position(events.own_registration(event.id, third.id)) == 1


def test_registering_twice_is_refused(make_member, make_event):
    event = make_event()
    member = make_member()
    events.register(member, event, utcnow())
    with pytest.raises(DomainError):
        events.register(member, event, utcnow())


def test_registering_again_after_cancelling_goes_to_the_end_of_the_queue(make_member, make_event):
    event = make_event(capacity=1)
    first, second, third = make_member(), make_member(), make_member()
    for person in (first, second, third):
        events.register(person, event, utcnow())
    events.cancel(second, event, utcnow())
    row = events.register(second, event, utcnow())
    db.session.commit()
    assert row.status == RegistrationStatus.WAITING and events.waiting_position(row) == 2


def test_only_members_register(client, other_staff, make_event):
    event = make_event()
    with pytest.raises(NotPermitted):
        events.register(other_staff, event, utcnow())
    client.login(other_staff)
    response = client.post(f"/networks/events/{event.id}/register", follow_redirects=True)
    assert "Join the network to register" in response.get_data(as_text=True)


def test_only_the_coordinator_plans_events(make_member, network, venue):
    member = make_member()
    local = (utcnow() + timedelta(days=2)).astimezone(LOCAL_TZ)
    data = EventInput("webinar", "Mine", local.date(), local.time(), 60, 10, venue.id)
    with pytest.raises(NotPermitted):
        events.create_event(member, network, data, utcnow())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"days": -1}, "An event is planned for a time that has not passed."),
        ({"capacity": 0}, "The capacity is 1 to"),
        ({"venue_id": None}, "Choose a venue or give a video link."),
        ({"venue_id": None, "video_url": "http://insecure"}, "A video link starts with https://."),
    ],
)
def test_bad_event_input_is_refused_with_a_message(
    client, coordinator, network, venue, change, message
):
    day = local_date(utcnow()) + timedelta(days=change.get("days", 3))
    form = {
        "kind": "webinar",
        "title": "Webinar",
        "on_date": day.isoformat(),
        "start_time": "10:00",
        "duration_minutes": "60",
        "capacity": str(change.get("capacity", 10)),
        "venue_id": str(venue.id if change.get("venue_id", venue.id) else 0),
        "video_url": change.get("video_url", ""),
    }
    client.login(coordinator)
    response = client.post(f"/networks/{network.id}/events/new", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_coordinator_plans_a_webinar_with_a_video_link(client, coordinator, network):
    day = local_date(utcnow()) + timedelta(days=5)
    client.login(coordinator)
    response = client.post(
        f"/networks/{network.id}/events/new",
        data={
            "kind": "webinar",
            "title": "HR webinar",
            "on_date": day.isoformat(),
            "start_time": "14:00",
            "duration_minutes": "60",
            "capacity": "50",
            "venue_id": "0",
            "video_url": "https://meet.example.fi/hr",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "HR webinar" in page and "Webinar" in page


def test_reminder_goes_to_the_registered_once_the_day_before(make_member, make_event):
    event = make_event(capacity=1, days=1)
    member, waiting = make_member(), make_member()
    events.register(member, event, utcnow())
    events.register(waiting, event, utcnow())
    db.session.commit()
    day_before = local_date(event.starts_at) - timedelta(days=1)
    assert run_daily_jobs(day_before, utcnow())["network_reminders"] == 1
    db.session.commit()
    assert run_daily_jobs(day_before, utcnow())["network_reminders"] == 0  # Message-ID
    (reminder,) = _mails(member, "network_reminder")
    assert reminder.message_id.startswith(f"<network-reminder-{event.id}-0-{member.id}@")
    assert _mails(waiting, "network_reminder") == []


def test_coordinator_records_attendance_after_the_event(
    client, coordinator, make_member, make_event, monkeypatch
):
    event = make_event(capacity=5)
    came, stayed_away = make_member(name="Came"), make_member(name="Stayed")
    for person in (came, stayed_away):
        events.register(person, event, utcnow())
    db.session.commit()
    with pytest.raises(InvalidTransition):
        events.record_attendance(coordinator, event, {came.id}, utcnow())
    db.session.rollback()
    event.starts_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    client.login(came)
    assert client.post(f"/networks/events/{event.id}/attendance").status_code == 403
    client.login(coordinator)
    response = client.post(
        f"/networks/events/{event.id}/attendance", data={"present": [str(came.id)]}
    )
    assert response.status_code == 302
    rows = {
        r.user_id: r.attended for r in events.registrations(event, RegistrationStatus.REGISTERED)
    }
    assert rows == {came.id: True, stayed_away.id: False}


def test_registration_closes_when_the_event_starts(make_member, make_event):
    event = make_event()
    member = make_member()
    event.starts_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        events.register(member, event, utcnow())
