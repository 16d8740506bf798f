"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): retries, failures, races."""

import email
import socket
import threading
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lahti_pool.core.jobs import backoff, send_due
from lahti_pool.core.mailer import queue_mail
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db

SUBJECT = _l("We received your supervision request")


class Recorder:
    """An SMTP handler that keeps what it receives, or answers with a chosen error."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        with self.lock:
            self.envelopes.append(envelope)
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mail_config(app):
    """Point the sender at 127.0.0.1:<port> for this test and restore the settings after."""
    keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_SUPPRESS_SEND", "MAIL_TIMEOUT")
    saved = {k: app.config.get(k) for k in keys}

    def configure(port: int) -> None:
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=5
        )

    yield configure
    app.config.update(saved)


@pytest.fixture
def smtp_server(mail_config):
    """Start a recording SMTP server on a free port; ``start(port)`` starts another later."""
    controllers = []

    def start(port: int | None = None) -> Recorder:
        handler = Recorder()
        controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
        controller.start()
        controllers.append(controller)
        mail_config(controller.port)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def _queue(users, n=1):
    for user in users:
        for _ in range(n):
            queue_mail(
                user,
                "request_received",
                "requests/request_received",
                SUBJECT,
                sup_request=None,
                link="http://127.0.0.1:5000/requests/1",
            )


def _statuses():
    return db.session.scalars(select(MailMessage.status).order_by(MailMessage.id)).all()


def test_queued_mail_arrives_with_its_message_id_and_calendar(smtp_server, staff):
    server = smtp_server()
    message = queue_mail(
        staff,
        "session_planned",
        "requests/request_received",
        SUBJECT,
        ics="BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        ics_method="REQUEST",
        link="http://x/",
    )
    db.session.commit()
    report = send_due()
    assert report.sent == 1
    (received,) = server.messages
    assert server.envelopes[0].rcpt_tos == [staff.email]
    assert received["Message-ID"] == message.message_id
    assert len(received.get_all("Message-ID")) == 1
    assert received["Subject"] == "We received your supervision request"
    parts = {p.get_content_type(): p for p in received.walk()}
    assert "text/plain" in parts and "text/html" in parts
    calendar = parts["text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert "BEGIN:VCALENDAR" in calendar.get_content()
    db.session.refresh(message)
    assert message.status == MailStatus.SENT and message.sent_at is not None


def test_a_change_commits_while_the_server_is_down_and_mail_arrives_once_later(
    mail_config, smtp_server, staff, other_staff
):
    port = free_port()
    mail_config(port)  # nothing listens there
    staff.job_title = "Rehtori"  # the change that causes the mail, in the same transaction
    _queue([staff, other_staff])
    db.session.commit()

    report = send_due()
    assert report.sent == 0 and report.retrying == 1
    failed = db.session.scalars(select(MailMessage).where(MailMessage.attempts == 1)).one()
    assert "ConnectionRefusedError" in failed.last_error
    assert failed.next_attempt_at > utcnow()
    db.session.expire_all()
    assert db.session.get(type(staff), staff.id).job_title == "Rehtori"

    server = smtp_server(port)  # the server comes back
    assert send_due().sent == 1  # the one not yet due waits for its back-off
    assert send_due(now=utcnow() + timedelta(minutes=2)).sent == 1
    assert send_due(now=utcnow() + timedelta(hours=2)).sent == 0
    assert sorted(m["To"] for m in server.messages) == sorted([staff.email, other_staff.email])
    assert len(set(server.message_ids())) == 2
    assert _statuses() == [MailStatus.SENT, MailStatus.SENT]


def test_451_is_retried_with_backoff_and_delivered_once(smtp_server, staff):
    server = smtp_server()
    server.data_reply = "451 4.3.0 Try again later"
    _queue([staff])
    db.session.commit()
    now = utcnow()
    report = send_due(now=now)
    assert report.retrying == 1
    message = db.session.scalars(select(MailMessage)).one()
    assert message.status == MailStatus.PENDING
    assert message.last_error == "451 4.3.0 Try again later"
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert send_due(now=now + timedelta(seconds=30)).sent == 0  # not yet due

    server.data_reply = None
    assert send_due(now=now + timedelta(minutes=1)).sent == 1
    assert send_due(now=now + timedelta(hours=1)).sent == 0
    assert len(server.messages) == 1


def test_550_goes_straight_to_dead(smtp_server, staff):
    server = smtp_server()
    server.rcpt_reply = "550 5.1.1 Mailbox unavailable"
    _queue([staff])
    db.session.commit()
    assert send_due().dead == 1
    message = db.session.scalars(select(MailMessage)).one()
    assert message.status == MailStatus.DEAD
    assert message.attempts == 1
    assert message.last_error == "550 5.1.1 Mailbox unavailable"
    assert send_due(now=utcnow() + timedelta(days=1)).sent == 0


def test_too_many_temporary_failures_end_dead(app, smtp_server, staff):
    server = smtp_server()
    server.data_reply = "421 4.7.0 Too busy"
    _queue([staff])
    db.session.commit()
    now = utcnow()
    for _ in range(app.config.get("MAIL_MAX_ATTEMPTS", 8)):
        now += timedelta(hours=2)
        send_due(now=now)
    message = db.session.scalars(select(MailMessage)).one()
    assert message.status == MailStatus.DEAD
    assert message.attempts == 8


def test_backoff_doubles_and_is_capped(ctx):
    assert [backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_two_concurrent_senders_never_send_a_message_twice(app, smtp_server, make_user):
    server = smtp_server()
    users = [make_user() for _ in range(4)]
    _queue(users, n=5)
    db.session.commit()
    db.session.remove()

    barrier = threading.Barrier(2)
    reports = []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                reports.append(send_due())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sum(r.sent for r in reports) == 20
    assert len(server.messages) == 20
    assert len(set(server.message_ids())) == 20
    assert set(_statuses()) == {MailStatus.SENT}


def test_a_message_locked_by_another_worker_is_left_alone(smtp_server, staff):
    server = smtp_server()
    _queue([staff])
    message = db.session.scalars(select(MailMessage)).one()
    message.locked_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert send_due().sent == 0
    assert server.messages == []
    assert send_due(now=utcnow() + timedelta(minutes=6)).sent == 1


def test_send_mail_command_sends_once(app, smtp_server, staff):
    server = smtp_server()
    _queue([staff])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["pool", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 1" in result.output
    assert len(server.messages) == 1
