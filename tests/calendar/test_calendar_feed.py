"""Calendar invitations (RFC 5545) and the private calendar feed."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from icalendar import Calendar

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions.calendar import session_ics, session_uid
from lahti_pool.sessions.models import (
    ProcessMember,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)


@pytest.fixture
def make_session(supervisor, staff, school_year):
    def factory(starts_at=None, clients=None, **kwargs):
        starts_at = starts_at or (utcnow() + timedelta(days=3)).replace(microsecond=0)
        process = SupervisionProcess(
            supervisor_id=supervisor.id,
            school_year_id=school_year.id,
            kind=RequestKind.INDIVIDUAL,
            sessions_granted=3,
            price_cents=9000,
            vat_percent=Decimal("25.50"),
            rule="ranking",
            goals="GOALS-CANARY",
            members=[ProcessMember(user_id=c.id) for c in (clients or [staff])],
        )
        db.session.add(process)
        db.session.flush()
        kwargs.setdefault("place", "Room 12; https://meet.example/abc")
        sup_session = SupervisionSession(
            process_id=process.id,
            starts_at=starts_at,
            on_date=starts_at.date(),
            duration_minutes=kwargs.pop("duration_minutes", 90),
            mode="on_site",
            **kwargs,
        )
        db.session.add(sup_session)
        db.session.commit()
        return sup_session

    return factory


def _event(ics: str):
    cal = Calendar.from_ical(ics)
    (event,) = cal.walk("VEVENT")
    return cal, event


def test_invitation_parses_back_with_uid_times_place_and_method(make_session, staff, supervisor):
    starts_at = datetime(2027, 3, 2, 7, 30, tzinfo=UTC)
    sup_session = make_session(starts_at)
    cal, event = _event(session_ics(sup_session, staff))
    assert str(cal["METHOD"]) == "REQUEST"
    assert (
        str(event["UID"])
        == session_uid(sup_session)
        == f"session-{sup_session.id}@lahti-pool.local"
    )
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == starts_at
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == starts_at + timedelta(minutes=90)
    assert str(event["LOCATION"]) == "Room 12; https://meet.example/abc"
    assert supervisor.name in str(event["SUMMARY"])
    assert f"/processes/{sup_session.process_id}" in str(event["DESCRIPTION"])
    assert str(event["ATTENDEE"]) == f"mailto:{staff.email}"


def test_the_supervisors_invitation_names_no_client(make_session, staff, supervisor):
    sup_session = make_session()
    ics = session_ics(sup_session, supervisor.user)
    _cal, event = _event(ics)
    assert staff.name not in ics and staff.email not in ics
    assert sup_session.process.reference in str(event["SUMMARY"])
    assert "GOALS-CANARY" not in ics


def test_an_update_keeps_the_uid_and_raises_the_sequence(make_session, staff):
    sup_session = make_session()
    _cal, first = _event(session_ics(sup_session, staff))
    sup_session.starts_at += timedelta(hours=2)
    sup_session.ical_sequence += 1
    db.session.commit()
    _cal, second = _event(session_ics(sup_session, staff))
    assert second["UID"] == first["UID"]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second.decoded("DTSTART") == first.decoded("DTSTART") + timedelta(hours=2)


def test_a_cancellation_is_method_cancel_and_status_cancelled(make_session, staff):
    sup_session = make_session()
    sup_session.ical_sequence = 2
    cal, event = _event(session_ics(sup_session, staff, method="CANCEL"))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 2


def _feed(client, token):
    return client.get(f"/calendar/{token}.ics")


FEED_URL = re.compile(r"http://127\.0\.0\.1:5000/calendar/([A-Za-z0-9_\-]+)\.ics")


def _login_and_make_token(client, user) -> str:
    """The token of a new feed address, as the page shows it once."""
    client.login(user)
    response = client.post("/calendar/token")
    assert response.status_code == 200
    client.post("/logout")
    return FEED_URL.search(response.get_data(as_text=True)).group(1)


def test_feed_lists_the_users_upcoming_sessions_only(
    client, make_session, staff, other_staff, supervisor
):
    mine = make_session()
    make_session(clients=[other_staff])  # someone else's
    make_session(starts_at=utcnow().replace(microsecond=0) - timedelta(days=10))  # past
    cancelled = make_session(status=SessionStatus.CANCELLED)
    token = _login_and_make_token(client, staff)

    response = _feed(client, token)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    cal = Calendar.from_ical(response.get_data(as_text=True))
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert uids == {session_uid(mine)}
    assert session_uid(cancelled) not in uids
    assert "GOALS-CANARY" not in response.get_data(as_text=True)

    sup_token = _login_and_make_token(client, supervisor.user)
    sup_feed = _feed(client, sup_token).get_data(as_text=True)
    assert len(Calendar.from_ical(sup_feed).walk("VEVENT")) == 2
    assert staff.name not in sup_feed and other_staff.name not in sup_feed


def test_the_feed_is_in_its_owners_language_not_the_calendar_apps(client, make_session, staff):
    make_session()
    token = _login_and_make_token(client, staff)
    for locale, summary in (("sv", "Arbetshandledning med "), ("en", "Work supervision with ")):
        staff.locale = locale
        db.session.commit()
        feed = client.get(f"/calendar/{token}.ics", headers={"Accept-Language": "fi"}).text
        assert f"SUMMARY:{summary}" in feed, feed


def test_a_former_supervisors_feed_no_longer_lists_their_clients_sessions(
    client, make_session, supervisor
):
    from lahti_pool.accounts.models import Role

    make_session()
    user = supervisor.user
    token = _login_and_make_token(client, user)
    assert len(Calendar.from_ical(_feed(client, token).text).walk("VEVENT")) == 1
    user.set_roles({Role.STAFF})
    db.session.commit()
    assert Calendar.from_ical(_feed(client, token).text).walk("VEVENT") == []


def test_the_feed_404s_for_a_revoked_or_replaced_token(client, staff):
    first = _login_and_make_token(client, staff)
    assert _feed(client, first).status_code == 200
    second = _login_and_make_token(client, staff)
    assert second != first
    assert _feed(client, first).status_code == 404
    assert _feed(client, second).status_code == 200

    client.login(staff)
    assert client.post("/calendar/token/revoke").status_code == 302
    db.session.refresh(staff)
    assert staff.calendar_token is None
    assert _feed(client, second).status_code == 404
    assert _feed(client, "").status_code == 404
    assert _feed(client, "x" * 100).status_code == 404


def test_a_deactivated_users_feed_is_gone(client, staff):
    token = _login_and_make_token(client, staff)
    staff.is_active_account = False
    db.session.commit()
    assert _feed(client, token).status_code == 404


def test_calendar_page_shows_the_private_address_once(client, staff):
    client.login(staff)
    page = client.get("/calendar/").get_data(as_text=True)
    assert "Make my calendar address" in page
    made = client.post("/calendar/token")
    assert made.headers["Cache-Control"] == "no-store"
    token = FEED_URL.search(made.get_data(as_text=True)).group(1)
    page = client.get("/calendar/").get_data(as_text=True)
    assert token not in page and "Your calendar address is on." in page
    assert client.get("/calendar/").headers["Cache-Control"] == "no-store"


def test_the_database_keeps_only_a_hash_of_the_feed_token(client, staff):
    """A copy of the database (a backup, a dump) opens nobody's calendar (issue 22, item 4)."""
    token = _login_and_make_token(client, staff)
    db.session.refresh(staff)
    assert staff.calendar_token == hashlib.sha256(token.encode()).hexdigest()
    assert _feed(client, staff.calendar_token).status_code == 404
    assert _feed(client, token).status_code == 200
