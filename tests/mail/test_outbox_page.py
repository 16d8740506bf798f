"""The outbox tells the truth: what waits and since when, a warning when mail does not
move, failures resent in bulk, kinds as words (issue 16, item 4); and ``make run``'s
mail reaches a sink a developer can read."""

import ast
import io
from contextlib import redirect_stdout
from datetime import timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lahti_dev.mail_sink import MailSink, route_mail_to
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.jobs import send_due
from lahti_pool.core.mailer import queue_mail
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db
from lahti_pool.mail.labels import KIND_LABELS

SUBJECT = _l("We received your supervision request")
ROOT = Path(__file__).resolve().parents[2]


def _queue(user, n: int, minutes_ago: int, kind: str = "request_received") -> list[MailMessage]:
    messages = []
    for _ in range(n):
        m = queue_mail(user, kind, "requests/request_received", SUBJECT, link="http://x/1")
        db.session.flush()
        m.created_at = m.next_attempt_at = utcnow() - timedelta(minutes=minutes_ago)
        messages.append(m)
    db.session.commit()
    return messages


def test_the_outbox_shows_what_waits_and_since_when_not_all_delivered(client, admin, staff):
    admin.locale = "fi"
    _queue(staff, 3, minutes_ago=90)
    client.login(admin)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Kaikki sähköpostiviestit on toimitettu" not in page
    assert page.count(staff.email) == 3
    assert "Lähetystä odottaa" in page  # the state of a message never tried
    assert "Sähköpostia ei lähetetä." in page  # mail has not moved for 90 minutes
    assert "Pyyntö vastaanotettu" in page and "request_received" not in page


def test_every_admin_page_warns_when_mail_has_not_moved(client, admin, staff):
    _queue(staff, 2, minutes_ago=5)
    client.login(admin)
    assert "E-mail has not moved" not in client.get("/admin/requests").text  # just queued
    _queue(staff, 154, minutes_ago=60)
    page = client.get("/admin/requests").text
    assert "E-mail has not moved since" in page and "156 messages wait to be sent" in page
    assert 'href="/admin/mail"' in page
    client.login(staff)
    assert "E-mail has not moved" not in client.get("/dashboard").text  # administrators only


def test_failed_messages_are_resent_in_bulk(client, admin, staff):
    failed = _queue(staff, 3, minutes_ago=30)
    for m in failed:
        m.status, m.attempts, m.last_error = MailStatus.DEAD, 8, "550 5.1.1 no such user"
    db.session.commit()
    client.login(admin)
    page = client.get("/admin/mail").text
    assert "Resend all 3 failed messages" in page
    page = client.post("/admin/mail/resend-failed", follow_redirects=True).text
    assert "3 failed messages are queued again." in page
    statuses = db.session.scalars(select(MailMessage.status)).all()
    assert statuses == [MailStatus.PENDING] * 3
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("mail.resent") == 3


def test_every_kind_of_mail_the_code_queues_has_words():
    kinds = set()
    for path in (ROOT / "lahti_pool").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "queue_mail":
                kind = node.args[1] if len(node.args) > 1 else None
                if isinstance(kind, ast.Constant):
                    kinds.add(kind.value)
    # two are built from a value: sessions' _notify_session and the password links
    kinds |= {"session_planned", "session_changed", "session_cancelled"}
    kinds |= {"password_invitation", "password_reset"}
    kinds |= {"circle_meeting", "circle_meeting_changed", "circle_meeting_cancelled"}
    assert kinds <= set(KIND_LABELS), sorted(kinds - set(KIND_LABELS))


def test_the_development_sink_prints_and_keeps_each_message(app, staff, tmp_path):
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_SUPPRESS_SEND")}
    sink = MailSink(tmp_path / "mail").start()
    try:
        route_mail_to(app, sink)
        _queue(staff, 1, minutes_ago=1)
        out = io.StringIO()
        with redirect_stdout(out):
            report = send_due()
    finally:
        sink.stop()
        app.config.update(saved)
    assert report.sent == 1
    (saved_file,) = (tmp_path / "mail").glob("*.eml")
    assert b"We received your supervision request" in saved_file.read_bytes()
    assert f"e-mail to {staff.email}" in out.getvalue() and "http://x/1" in out.getvalue()
    assert db.session.scalars(select(MailMessage.status)).one() == MailStatus.SENT
