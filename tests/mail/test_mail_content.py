"""What the e-mails say, to whom, in which language — and what they never say."""

import logging
import os
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lahti_pool.accounts.calendar_tokens import renew_calendar_token
from lahti_pool.accounts.models import Role
from lahti_pool.budget import mails as budget_mails
from lahti_pool.budget.guard import BudgetWarning
from lahti_pool.budget.models import BudgetUsageChange
from lahti_pool.core import jobs, mailer
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db
from lahti_pool.feedback import mails as feedback_mails
from lahti_pool.feedback.models import FeedbackInvitation
from lahti_pool.requests import mails as request_mails
from lahti_pool.requests.models import (
    PreQuestionAnswer,
    QuotaAccount,
    RequestKind,
    SupervisionRequest,
)
from lahti_pool.sessions import jobs as session_jobs
from lahti_pool.sessions import mails as session_mails
from lahti_pool.sessions.calendar import feed_ics
from lahti_pool.sessions.models import ProcessMember, SupervisionProcess, SupervisionSession
from lahti_pool.slots import jobs as slot_jobs
from lahti_pool.slots import mails as slot_mails
from lahti_pool.slots.models import OnDutySlot

SNAPSHOTS = Path(__file__).parent / "snapshots"
CANARY = "CANARY-burnout-at-Kivimaa-7f3a"
#: an on-duty booker's phone number (phone mode): as confidential as the answers
PHONE_CANARY = "+358401239876"


def make_session(supervisor, clients, starts_at, *, goals="", answer="", **kwargs):
    """A request (with a pre-question answer), its process and one planned session."""
    year_id = kwargs.pop("school_year_id")
    sup_request = SupervisionRequest(
        kind=RequestKind.INDIVIDUAL,
        requester_id=clients[0].id,
        school_year_id=year_id,
        sessions_requested=3,
        wanted_from=starts_at.date(),
        answers=[PreQuestionAnswer(position=1, question="What?", answer=answer)] if answer else [],
    )
    db.session.add(sup_request)
    db.session.flush()
    process = SupervisionProcess(
        request_id=sup_request.id,
        supervisor_id=supervisor.id,
        school_year_id=year_id,
        kind=RequestKind.INDIVIDUAL,
        sessions_granted=3,
        price_cents=9000,
        vat_percent=Decimal("25.50"),
        rule="ranking",
        goals=goals,
        members=[ProcessMember(user_id=c.id) for c in clients],
    )
    db.session.add(process)
    db.session.flush()
    kwargs.setdefault("duration_minutes", 60)
    kwargs.setdefault("mode", "on_site")
    kwargs.setdefault("place", "Kivimaan koulu, room 12")
    sup_session = SupervisionSession(
        process_id=process.id, starts_at=starts_at, on_date=starts_at.date(), **kwargs
    )
    db.session.add(sup_session)
    db.session.commit()
    return sup_session


@pytest.fixture
def session_at(supervisor, staff, school_year):
    def factory(starts_at, clients=None, **kwargs):
        return make_session(
            supervisor, clients or [staff], starts_at, school_year_id=school_year.id, **kwargs
        )

    return factory


def _mails(kind=None):
    query = select(MailMessage).order_by(MailMessage.id)
    if kind:
        query = query.where(MailMessage.kind == kind)
    return db.session.scalars(query).all()


def _normalise(text: str) -> str:
    text = re.sub(r"/(processes|requests)/\d+", r"/\1/N", text)
    return re.sub(r"P\d\d-\d{6}", "P00-000000", text)


@pytest.fixture
def app_logs(caplog, monkeypatch):
    """Capture the app's log lines (the migrations' fileConfig disabled existing loggers)."""
    for name in ("lahti_pool.core.mailer", "lahti_pool.core.jobs"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    caplog.set_level(logging.DEBUG)
    return caplog


def test_session_planned_mail_matches_the_snapshot(app, session_at, staff):
    sup_session = session_at(datetime(2027, 2, 1, 8, 0, tzinfo=UTC))
    session_mails.notify_session_planned(sup_session)
    client_mail = next(m for m in _mails() if m.to_user_id == staff.id)
    expected = SNAPSHOTS / "session_planned_client_en.txt"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        expected.write_text(_normalise(client_mail.body_text), encoding="utf-8")
    assert _normalise(client_mail.body_text) == expected.read_text(encoding="utf-8")


def test_mail_is_written_in_the_recipients_language(session_at, make_user):
    finn = make_user(locale="fi")
    english = make_user(locale="en")
    sup_session = session_at(datetime(2027, 2, 1, 8, 0, tzinfo=UTC), clients=[finn, english])
    session_mails.notify_session_planned(sup_session)
    by_user = {m.to_user_id: m for m in _mails()}
    fi, en = by_user[finn.id], by_user[english.id]
    assert '<html lang="fi">' in fi.body_html
    assert "maanantai 1. helmikuuta 2027" in fi.body_text  # Helsinki time, Finnish
    assert "10.00–11.00" in fi.body_text
    assert '<html lang="en">' in en.body_html
    assert "Monday, February 1, 2027" in en.body_text
    assert "helmikuuta" not in en.body_text


def test_a_swedish_speaker_gets_the_mail_and_its_invitation_in_swedish(session_at, make_user):
    swede = make_user(locale="sv")
    sup_session = session_at(datetime(2027, 2, 1, 8, 0, tzinfo=UTC), clients=[swede])
    session_mails.notify_session_planned(sup_session)
    mail = next(m for m in _mails() if m.to_user_id == swede.id)
    assert mail.subject == "Handledningstillfälle planerat"
    assert '<html lang="sv">' in mail.body_html
    assert "Hej " in mail.body_text
    assert "Ett handledningstillfälle har planerats." in mail.body_text
    assert "måndag 1 februari 2027" in mail.body_text  # Helsinki time, Swedish as in Finland
    assert "10.00–11.00" in mail.body_text
    assert "helmikuuta" not in mail.body_text and "February" not in mail.body_text
    assert "SUMMARY:Arbetshandledning med " in mail.ics


def test_a_user_without_a_language_gets_the_default(app, session_at, staff):
    staff.locale = ""
    sup_session = session_at(datetime(2027, 2, 1, 8, 0, tzinfo=UTC))
    session_mails.notify_session_planned(sup_session)
    mail = next(m for m in _mails() if m.to_user_id == staff.id)
    assert f'<html lang="{app.config["BABEL_DEFAULT_LOCALE"]}">' in mail.body_html


def test_session_mail_goes_to_client_and_supervisor_with_invitations(session_at, supervisor):
    sup_session = session_at(utcnow() + timedelta(days=3))
    session_mails.notify_session_planned(sup_session)
    mails = _mails("session_planned")
    assert {m.to_user_id for m in mails} == {
        sup_session.process.members[0].user_id,
        supervisor.user_id,
    }
    for m in mails:
        assert m.ics_method == "REQUEST" and "METHOD:REQUEST" in m.ics
    to_supervisor = next(m for m in mails if m.to_user_id == supervisor.user_id)
    client = sup_session.process.members[0].user
    assert client.name not in to_supervisor.body_text + to_supervisor.body_html + to_supervisor.ics
    assert sup_session.process.reference in to_supervisor.body_text


def test_cancellation_sends_a_calendar_cancel(session_at):
    sup_session = session_at(utcnow() + timedelta(days=3))
    sup_session.ical_sequence += 1
    session_mails.notify_session_cancelled(sup_session)
    for m in _mails("session_cancelled"):
        assert m.ics_method == "CANCEL"
        assert "METHOD:CANCEL" in m.ics and "STATUS:CANCELLED" in m.ics
        assert "SEQUENCE:1" in m.ics


def test_links_are_absolute_and_use_base_url(app, session_at):
    app.config["BASE_URL"] = "https://tyonohjaus.lahti.fi"
    try:
        sup_session = session_at(utcnow() + timedelta(days=3))
        session_mails.notify_session_planned(sup_session)
    finally:
        app.config["BASE_URL"] = "http://127.0.0.1:5000"
    mail = _mails()[0]
    assert f"https://tyonohjaus.lahti.fi/processes/{sup_session.process_id}" in mail.body_text
    assert "https://tyonohjaus.lahti.fi/settings/notifications" in mail.body_html


def test_reminders_are_queued_once_per_session_and_person(session_at, today):
    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    sup_session = session_at(tomorrow + timedelta(hours=10))
    session_at(tomorrow + timedelta(days=2))  # not tomorrow: no reminder
    assert session_jobs.queue_reminders(today, utcnow()) == 2
    db.session.commit()
    assert session_jobs.queue_reminders(today, utcnow()) == 0
    db.session.commit()
    assert len(_mails("reminder")) == 2

    sup_session.ical_sequence += 1  # moved within the day: remind of the new time
    db.session.commit()
    assert session_jobs.queue_reminders(today, utcnow()) == 2


def test_weekly_digest_goes_to_staff_with_quota_left_who_want_it(
    make_user, supervisor, school_year, today
):
    wants = make_user(name="Wants")
    no_thanks = make_user(name="No thanks", weekly_digest=False)
    used_up = make_user(name="Used up")
    make_user(name="Supervisor two", roles={Role.SUPERVISOR})
    db.session.add(
        QuotaAccount(user_id=used_up.id, school_year_id=school_year.id, quota=10, used=10)
    )
    starts_at = utcnow().replace(microsecond=0) + timedelta(days=2)
    db.session.add(
        OnDutySlot(
            supervisor_id=supervisor.id, starts_at=starts_at, on_date=starts_at.date(), mode="video"
        )
    )
    db.session.commit()

    assert slot_jobs.queue_weekly_digest(today, utcnow()) == 1
    db.session.commit()
    (digest,) = _mails("weekly_digest")
    assert digest.to_user_id == wants.id
    assert supervisor.name in digest.body_text
    assert slot_jobs.queue_weekly_digest(today, utcnow()) == 0  # once a week
    assert no_thanks.id != digest.to_user_id


def test_no_digest_without_free_slots(staff, school_year, today):
    assert slot_jobs.queue_weekly_digest(today, utcnow()) == 0


def test_budget_warning_reaches_admins_once_per_level(admin, staff):
    budget_mails.notify_budget_threshold(BudgetWarning(None, 82), 2027)
    budget_mails.notify_budget_threshold(BudgetWarning(None, 85), 2027)
    db.session.commit()
    assert [m.to_user_id for m in _mails("budget_threshold")] == [admin.id]
    budget_mails.notify_budget_threshold(BudgetWarning(None, 101), 2027)
    assert len(_mails("budget_threshold")) == 2


def test_an_idempotent_duplicate_does_not_spoil_the_transaction(admin):
    budget_mails.notify_budget_threshold(BudgetWarning(None, 82), 2027)
    admin.job_title = "Controller"
    budget_mails.notify_budget_threshold(BudgetWarning(None, 90), 2027)
    db.session.commit()
    db.session.expire_all()
    assert admin.job_title == "Controller"


def test_nothing_confidential_reaches_mail_calendars_or_logs(
    app, client, app_logs, make_user, supervisor, school_year, admin, today
):
    finn, colleague = make_user(locale="fi"), make_user()
    starts_at = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    sup_session = make_session(
        supervisor,
        [finn, colleague],
        starts_at + timedelta(hours=9),
        school_year_id=school_year.id,
        goals=CANARY,
        answer=CANARY,
    )
    process = sup_session.process
    sup_request = process.request
    sup_request.contact_phone = PHONE_CANARY
    slot = OnDutySlot(
        supervisor_id=supervisor.id,
        starts_at=starts_at + timedelta(days=2),
        on_date=(starts_at + timedelta(days=2)).date(),
        mode="phone",
        booked_by_id=finn.id,
        session_id=sup_session.id,
    )
    db.session.add(slot)
    invitation = FeedbackInvitation(session_id=sup_session.id, user_id=finn.id)
    db.session.add(invitation)
    db.session.flush()

    request_mails.notify_request_received(sup_request)
    request_mails.notify_group_invitation(sup_request, colleague)
    session_mails.notify_process_accepted(process)
    session_mails.notify_session_planned(sup_session)
    sup_session.ical_sequence += 1
    session_mails.notify_session_changed(sup_session)
    slot_mails.notify_slot_booked(slot)
    feedback_mails.notify_feedback_invitation(invitation)
    budget_mails.notify_budget_threshold(BudgetWarning(None, 100), 2027)
    jobs.run_daily_jobs(today, utcnow())
    sup_session.ical_sequence += 1
    session_mails.notify_session_cancelled(sup_session)
    db.session.commit()
    assert jobs.send_due().sent == len(_mails())

    kinds = {m.kind for m in _mails()}
    assert kinds >= {
        "request_received",
        "group_invitation",
        "process_accepted",
        "session_planned",
        "session_changed",
        "slot_booked",
        "feedback_invitation",
        "budget_threshold",
        "reminder",
        "session_cancelled",
    }
    for m in _mails():
        for text in (m.subject, m.body_text, m.body_html, m.ics):
            assert CANARY not in text, m.kind
            assert PHONE_CANARY not in text and "401239876" not in text, m.kind

    token = renew_calendar_token(finn)
    db.session.commit()
    assert CANARY not in feed_ics(finn, utcnow())
    assert CANARY not in feed_ics(supervisor.user, utcnow())
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert "BEGIN:VEVENT" in response.get_data(as_text=True)
    assert CANARY not in response.get_data(as_text=True)
    assert CANARY not in app_logs.text
    assert PHONE_CANARY not in app_logs.text
    assert PHONE_CANARY not in feed_ics(supervisor.user, utcnow())
    assert "mail queued" in app_logs.text and "sent" in app_logs.text  # it did log


def test_admin_sees_failed_mail_without_bodies_and_can_resend(client, admin, staff):
    mailer.queue_mail(
        staff,
        "slot_booked",
        "requests/request_received",
        _l("We received your supervision request"),
        link="BODY-ONLY-LINK",
    )
    message = _mails()[0]
    message.status = MailStatus.DEAD
    message.attempts = 3
    message.last_error = "550 5.1.1 Mailbox unavailable"
    db.session.commit()

    client.login(admin)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "On-duty slot booked" in page and staff.email in page  # the kind in words
    assert "550 5.1.1 Mailbox unavailable" in page
    assert "BODY-ONLY-LINK" not in page

    response = client.post(f"/admin/mail/{message.id}/resend")
    assert response.status_code == 302
    db.session.refresh(message)
    assert message.status == MailStatus.PENDING and message.attempts == 0
    assert message.next_attempt_at <= utcnow()


def test_a_sent_message_is_not_resent(client, admin, staff):
    mailer.queue_mail(staff, "slot_booked", "requests/request_received", _l("Received"), link="x")
    message = _mails()[0]
    message.status, message.sent_at = MailStatus.SENT, utcnow()
    db.session.commit()
    client.login(admin)

    response = client.post(f"/admin/mail/{message.id}/resend", follow_redirects=True)
    assert "This message was sent already" in response.text
    db.session.refresh(message)
    assert message.status == MailStatus.SENT


def test_staff_can_turn_the_weekly_digest_off(client, staff):
    client.login(staff)
    assert "weekly_digest" in client.get("/settings/notifications").get_data(as_text=True)
    response = client.post("/settings/notifications", data={})
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.weekly_digest is False
    client.post("/settings/notifications", data={"weekly_digest": "y"})
    db.session.refresh(staff)
    assert staff.weekly_digest is True


def test_daily_jobs_command_queues_reminders(app, session_at):
    today = jobs.local_today(utcnow())  # the command's "today" is Helsinki's
    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    session_at(tomorrow + timedelta(hours=12))
    for cents in (9_100, -9_100):  # a cost planned and cancelled: net nothing, two changes
        db.session.add(
            BudgetUsageChange(
                fiscal_year=today.year,
                division_id=1,
                committed_cents=cents,
                spent_cents=0,
                awaiting_cents=0,
            )
        )
    db.session.commit()
    changes = select(func.count()).select_from(BudgetUsageChange)
    waiting = db.session.scalar(changes)
    result = app.test_cli_runner().invoke(args=["pool", "daily-jobs"])
    assert result.exit_code == 0, result.output
    assert "Queued 2 reminders" in result.output
    assert f"Folded {waiting} budget ledger changes" in result.output
    assert db.session.scalar(changes) == 0
    assert len(_mails("reminder")) == 2


def test_the_text_of_a_sent_mail_is_cleared_after_thirty_days(staff):
    now = utcnow()

    def message(n, status, sent_days_ago):
        row = MailMessage(
            kind="reminder",
            to_user_id=staff.id,
            to_address=staff.email,
            subject=f"Subject {n}",
            body_text=f"Text {n}",
            body_html=f"<p>Text {n}</p>",
            ics="BEGIN:VCALENDAR",
            message_id=f"<retention-{n}@test>",
            status=status,
            sent_at=None if sent_days_ago is None else now - timedelta(days=sent_days_ago),
        )
        db.session.add(row)
        return row

    old = message(1, MailStatus.SENT, 31)
    recent = message(2, MailStatus.SENT, 29)
    waiting = message(3, MailStatus.PENDING, None)
    dead = message(4, MailStatus.DEAD, None)
    db.session.commit()

    assert jobs.run_daily_jobs(jobs.local_today(now), now)["mail_bodies_cleared"] == 1
    db.session.commit()
    db.session.expire_all()
    assert (old.body_text, old.body_html, old.ics) == ("", "", "")
    assert (old.subject, old.message_id) == ("Subject 1", "<retention-1@test>")  # kept
    for row in (recent, waiting, dead):
        assert row.body_text and row.body_html and row.ics
    assert jobs.clear_sent_mail_bodies(now.date(), now) == 0  # nothing left to clear
