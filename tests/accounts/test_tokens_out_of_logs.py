"""Secrets in links stay out of logs and old mail (issue 22, item 4): gunicorn's access
log redacts token paths, and a password link's mail text goes once the link is used or
has expired. (Calendar tokens stored hashed: tests/calendar/test_calendar_feed.py.)"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests_support import free_port

from lahti_pool.accounts.password_links import LinkPurpose, make_token, send_password_link
from lahti_pool.core import jobs
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "seven purple giraffes juggle quietly"


def _link_mails() -> list[MailMessage]:
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))


def _use(client, token: str) -> None:
    assert client.get(f"/password/link/{token}").status_code == 302
    form = client.get("/password/new").get_data(as_text=True)
    account = form.split('name="account" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/password/new",
        data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "account": account},
    )
    assert response.status_code == 302


def test_using_a_link_clears_the_text_of_every_link_mail_to_the_person(client, staff, admin):
    send_password_link(admin, staff, LinkPurpose.RESET)
    send_password_link(None, staff, LinkPurpose.RESET)
    first, second = _link_mails()
    first.status, first.sent_at = MailStatus.SENT, utcnow()
    db.session.commit()
    token = make_token(staff, LinkPurpose.RESET)

    _use(client, token)
    first, second = _link_mails()
    assert (first.body_text, first.body_html, first.status) == ("", "", MailStatus.SENT)
    # The second was never sent: its link is dead, so it is not sent at all.
    assert (second.body_text, second.body_html, second.status) == ("", "", MailStatus.DEAD)


def test_daily_jobs_clear_the_text_of_expired_link_mails(ctx, staff, other_staff, admin):
    send_password_link(None, staff, LinkPurpose.RESET)
    send_password_link(None, other_staff, LinkPurpose.RESET)
    send_password_link(admin, other_staff, LinkPurpose.INVITATION)
    old_reset, fresh_reset, invitation = _link_mails()
    for message in (old_reset, fresh_reset, invitation):
        message.status, message.sent_at = MailStatus.SENT, utcnow()
    old_reset.created_at = utcnow() - timedelta(hours=25)
    invitation.created_at = utcnow() - timedelta(days=2)  # an invitation works 7 days
    db.session.commit()

    now = utcnow()
    jobs.run_daily_jobs(jobs.local_today(now), now)
    db.session.commit()
    old_reset, fresh_reset, invitation = _link_mails()
    assert old_reset.body_text == "" and old_reset.body_html == ""
    assert "/password/link/" in fresh_reset.body_text
    assert "/password/link/" in invitation.body_text


@pytest.mark.slow
def test_the_shipped_gunicorn_configuration_redacts_tokens_in_the_access_log(
    app, database_url, tmp_path
):
    port = free_port()
    log = tmp_path / "access.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "wsgi:app",
        ],
        cwd=ROOT,  # gunicorn reads ./gunicorn.conf.py, as in production
        env={**os.environ, "DATABASE_URL": database_url, "LAHTI_POOL_ENV": "development"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    secrets = ["PASSWORDSECRET123", "CALENDARSECRET456", "CHANGESECRET789", "STOPSECRET012"]
    paths = [
        f"/password/link/{secrets[0]}",
        f"/calendar/{secrets[1]}.ics",
        f"/email/change/{secrets[2]}?x=1",
        f"/nudges/stop/{secrets[3]}",
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/login", timeout=2).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.3)
        for path in paths:
            referrer = {"Referer": base + paths[0]}
            request = urllib.request.Request(base + path, headers=referrer)  # noqa: S310
            with contextlib.suppress(urllib.error.HTTPError):  # garbled tokens: 400 or 404
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    text = log.read_text()
    assert "/password/link/[redacted]" in text
    assert "/calendar/[redacted].ics" in text
    assert "/email/change/[redacted]" in text
    assert "/nudges/stop/[redacted]" in text
    assert not any(secret in text for secret in secrets)
