"""Meeting logistics for phone and video (issue 16): the booker's phone number reaches the
session's supervisor only; the video link reaches the confirmation, the invitation and
the reminder; a group session's invitation carries the host unit's address."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.retention import purge_answers
from lahti_pool.sessions import jobs as session_jobs
from lahti_pool.sessions import rules
from lahti_pool.sessions.models import SupervisionSession
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.rules import local_date

BOOK = {"answer_1": "a", "answer_2": "b", "answer_3": "c"}
LINK = "https://meet.example.fi/aino-room"


@pytest.fixture
def make_slot(ctx):
    def factory(supervisor, mode="phone", starts_in=timedelta(days=3)):
        starts_at = (utcnow() + starts_in).replace(minute=0, second=0, microsecond=0)
        slot = OnDutySlot(
            supervisor_id=supervisor.id,
            starts_at=starts_at,
            on_date=local_date(starts_at),
            mode=mode,
            duration_minutes=60,
        )
        db.session.add(slot)
        db.session.commit()
        return slot

    return factory


def _mails(kind: str) -> list[MailMessage]:
    return db.session.scalars(
        select(MailMessage).where(MailMessage.kind == kind).order_by(MailMessage.id)
    ).all()


def _booking(slot) -> SupervisionRequest:
    db.session.expire_all()
    session_id = db.session.get(OnDutySlot, slot.id).session_id
    return db.session.get(SupervisionSession, session_id).process.request


def test_a_phone_booking_asks_for_the_number_and_refuses_a_bad_one(
    client, staff, supervisor, make_slot, school_year
):
    slot = make_slot(supervisor)
    client.login(staff)
    page = client.get(f"/slots/{slot.id}/book").text
    assert "Phone number the supervisor calls" in page and 'autocomplete="tel"' in page
    missing = client.post(f"/slots/{slot.id}/book", data=BOOK)
    assert "Give the phone number the supervisor calls you at." in missing.text
    bad = client.post(f"/slots/{slot.id}/book", data=BOOK | {"phone": "call me maybe"})
    assert "Give a phone number of 7 to 15 digits" in bad.text
    assert 'value="call me maybe"' in bad.text  # kept to correct
    db.session.expire_all()
    assert db.session.get(OnDutySlot, slot.id).status == SlotStatus.OPEN
    assert db.session.scalar(select(func.count()).select_from(SupervisionRequest)) == 0
    ok = client.post(f"/slots/{slot.id}/book", data=BOOK | {"phone": "040 123 4567"})
    assert ok.status_code == 302
    assert _booking(slot).contact_phone == "0401234567"
    mine = client.get(f"/slots/{slot.id}")
    assert "The supervisor calls you at 0401234567 at the start time." in mine.text
    assert mine.headers["Cache-Control"] == "no-store"


def test_a_video_booking_asks_for_no_phone_number(client, staff, supervisor, make_slot):
    slot = make_slot(supervisor, mode="video")
    client.login(staff)
    assert "Phone number the supervisor calls" not in client.get(f"/slots/{slot.id}/book").text
    client.post(f"/slots/{slot.id}/book", data=BOOK | {"phone": "0401234567"})
    assert _booking(slot).contact_phone == ""  # nobody calls a video session


def test_only_the_sessions_supervisor_sees_the_phone_number(
    client, staff, admin, supervisor, make_supervisor, make_slot, school_year
):
    slot = make_slot(supervisor)
    client.login(staff)
    client.post(f"/slots/{slot.id}/book", data=BOOK | {"phone": "+358 40 765 4321"})
    process = _booking(slot).process
    client.login(supervisor.user)
    assert 'href="tel:+358407654321"' in client.get(f"/slots/{slot.id}").text
    assert "+358407654321" in client.get(f"/processes/{process.id}").text
    client.login(admin)
    for url in (
        f"/slots/{slot.id}",
        f"/processes/{process.id}",
        f"/requests/{process.request_id}",
        "/admin/requests",
        f"/slots/manage?supervisor={supervisor.id}",
        "/admin/audit",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "7654321" not in response.text, url
    client.login(make_supervisor().user)
    assert client.get(f"/slots/{slot.id}").status_code == 403
    for row in db.session.scalars(select(AuditEvent)):
        assert "7654321" not in str(row.details), row.action
    for message in db.session.scalars(select(MailMessage)):
        assert "7654321" not in message.body_text + message.body_html + message.ics


def test_the_phone_number_is_purged_with_the_answers(staff, supervisor, make_slot, app):
    from lahti_pool.slots import services

    slot = make_slot(supervisor)
    services.book_slot(staff, slot, {1: "a", 2: "b", 3: "c"}, utcnow(), phone="0401234567")
    db.session.commit()
    sup_request = _booking(slot)
    ends_on = sup_request.school_year.ends_on
    purge_answers(date(ends_on.year + 1, 9, 1))  # a whole school year after it ended
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(SupervisionRequest, sup_request.id).contact_phone == ""


def test_the_supervisors_video_link_reaches_confirmation_invitation_and_reminder(
    client, staff, supervisor, make_slot, today
):
    supervisor.video_url = LINK
    db.session.commit()
    slot = make_slot(supervisor, mode="video", starts_in=timedelta(days=1, hours=2))
    client.login(staff)
    client.post(f"/slots/{slot.id}/book", data=BOOK)
    assert f'Join the video meeting at the start time: <a href="{LINK}"' in client.get(
        f"/slots/{slot.id}"
    ).text.replace("\n", " ")
    for message in _mails("slot_booked"):  # the booker's and the supervisor's
        assert f"Video meeting: {LINK}" in message.body_text
        assert LINK in message.body_html
        assert f"LOCATION:{LINK}" in message.ics and f"URL:{LINK}" in message.ics
    sup_session = db.session.get(SupervisionSession, _booking(slot).process.sessions[0].id)
    session_jobs.queue_reminders(sup_session.on_date - timedelta(days=1), utcnow())
    reminders = _mails("reminder")
    assert reminders and all(f"Video meeting: {LINK}" in m.body_text for m in reminders)


def _plan_form(day: date, **extra) -> dict:
    return {
        "on_date": day.isoformat(),
        "at": "10:00",
        "duration": "60",
        "mode": "video",
        "host": "0",
    } | extra


@pytest.fixture
def process(admin, staff, supervisor, school_year, today):
    from lahti_pool.matching import services as matching
    from lahti_pool.matching.eligibility import Policy
    from lahti_pool.requests.services import RequestInput, submit_individual_request

    submit_individual_request(
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
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    process = matching.accept_assignment(admin, run.assignments[0], today).process
    db.session.commit()
    return process


def test_a_sessions_own_video_link_comes_before_the_supervisors(
    client, process, supervisor, school_year
):
    supervisor.video_url = LINK
    db.session.commit()
    day = school_year.starts_on + timedelta(days=125)
    client.login(supervisor.user)
    own = "https://video.lahti.fi/j/123?pwd=x"
    response = client.post(
        f"/processes/{process.id}/sessions/new", data=_plan_form(day, video_url=own)
    )
    assert response.status_code == 302
    sup_session = db.session.scalar(select(SupervisionSession))
    assert sup_session.starts_at == rules.local_to_utc(day, time(10))
    planned = _mails("session_planned")
    assert planned and all(f"Video meeting: {own}" in m.body_text for m in planned)
    assert all("LOCATION:https://video.lahti.fi/j/123?pwd=x" in m.ics for m in planned)


@pytest.mark.parametrize(
    "link", ["http://meet.example.fi/x", "javascript:alert(1)", "meet.example.fi/x", "https://"]
)
def test_a_video_link_must_be_https_and_says_so(client, process, supervisor, school_year, link):
    day = school_year.starts_on + timedelta(days=125)
    client.login(supervisor.user)
    response = client.post(
        f"/processes/{process.id}/sessions/new", data=_plan_form(day, video_url=link)
    )
    assert "Give the link as a full address starting with https://" in response.text
    assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 0


def test_a_group_sessions_invitation_carries_the_venue(staff, supervisor, school_year):
    from lahti_pool.organisation.models import Venue
    from lahti_pool.requests.models import RequestKind
    from lahti_pool.sessions.calendar import session_ics
    from lahti_pool.sessions.models import SupervisionProcess

    venue = Venue(
        name="Kivimaan koulu",
        address="Kivimaantie 12, 15100 Lahti",
        accessibility_note="Step-free entrance from the yard",
    )
    db.session.add(venue)
    db.session.commit()
    # unsaved rows: only what the invitation says of them matters here
    process = SupervisionProcess(
        id=7, supervisor=supervisor, school_year=school_year, kind=RequestKind.GROUP
    )
    sup_session = SupervisionSession(
        id=9,
        process=process,
        starts_at=datetime(2027, 2, 3, 10, tzinfo=UTC),
        on_date=date(2027, 2, 3),
        duration_minutes=90,
        mode="on_site",
        place="Room 204",
        venue_id=venue.id,
        ical_sequence=0,
    )
    ics = session_ics(sup_session, staff).replace("\r\n ", "")
    assert "LOCATION:Room 204\\, Kivimaan koulu\\, Kivimaantie 12\\, 15100 Lahti" in ics
    description = ics[ics.index("DESCRIPTION:") :].split("\r\n")[0]
    assert "Venue: Kivimaan koulu" in description
    assert "Address: Kivimaantie 12\\, 15100 Lahti" in description
    assert "Accessibility: Step-free entrance from the yard" in description
