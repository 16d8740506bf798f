"""Four gunicorn worker processes on 127.0.0.1, twenty people booking the same slot at once."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests_support import PASSWORD

from lahti_pool.extensions import db
from lahti_pool.sessions.models import SessionStatus, SupervisionSession
from lahti_pool.slots.models import OnDutySlot, SlotStatus

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:  # noqa: S310
            return response.read().decode()

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, body, timeout=30) as response:  # noqa: S310
            return response.read().decode()


@pytest.fixture
def gunicorn(app, database_url):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789",
        "LAHTI_POOL_ENV": "development",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login", timeout=2).close()  # noqa: S310
            break
        except OSError:
            time.sleep(0.3)
    else:
        os.killpg(process.pid, signal.SIGTERM)
        error = process.stderr.read().decode()[-2000:]
        process.stderr.close()
        pytest.fail(error)
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    process.stderr.close()


def test_parallel_http_bookings_across_worker_processes_book_the_slot_once(
    gunicorn, make_user, supervisor, school_year
):
    people = [make_user() for _ in range(PEOPLE)]
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    slot = OnDutySlot(
        supervisor_id=supervisor.id, starts_at=starts, on_date=starts.date(), mode="video"
    )
    db.session.add(slot)
    db.session.commit()
    slot_id = slot.id
    browsers = []
    for person in people:  # log everybody in first, so that the bookings race
        browser = Browser(gunicorn)
        browser.post(
            "/login",
            {
                "csrf_token": _token(browser.get("/login")),
                "email": person.email,
                "password": PASSWORD,
            },
        )
        browsers.append((browser, _token(browser.get(f"/slots/{slot_id}/book"))))
    barrier = threading.Barrier(PEOPLE)
    pages = []

    def book(browser, token):
        barrier.wait()
        pages.append(
            browser.post(
                f"/slots/{slot_id}/book",
                {"csrf_token": token, "answer_1": "a", "answer_2": "b", "answer_3": "c"},
            )
        )

    threads = [threading.Thread(target=book, args=pair) for pair in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(pages) == PEOPLE
    db.session.expire_all()
    slot = db.session.get(OnDutySlot, slot_id)
    assert slot.status == SlotStatus.BOOKED
    planned = db.session.scalar(
        select(func.count())
        .select_from(SupervisionSession)
        .where(
            SupervisionSession.starts_at == starts,
            SupervisionSession.status == SessionStatus.PLANNED,
        )
    )
    assert planned == 1  # one booking in the database, whoever won it
    assert slot.booked_by_id in {p.id for p in people}
