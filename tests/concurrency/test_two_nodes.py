"""Two app nodes (issue 21): two gunicorn instances on two ports sharing one PostgreSQL.

Each node is what the README's production section deploys on one machine: a gunicorn
instance of ``wsgi:app``, and ``flask pool send-mail``, ``flask pool daily-jobs`` and
``flask pool matching-worker`` run from the same environment. Both nodes run their mail
worker and their daily jobs at the same moment; nothing is sent twice, nothing is lost, and
a matching run asked for on one node is seen, with its result, on the other.

Two nodes sharing a SQLite file is not a deployment, so this runs on PostgreSQL only
(``pytest --db=postgresql``, as CI does).
"""

import asyncio
import email
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text
from tests_support import (
    PASSWORD,
    Browser,
    free_port,
    start_gunicorn,
    stop_gunicorn,
    wait_until_up,
)
from tests_support import csrf_token as _token

from lahti_pool.accounts.models import Role
from lahti_pool.budget.models import BudgetUsage, BudgetUsageChange, SessionCost
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.jobs import local_today
from lahti_pool.core.mailer import queue_mail
from lahti_pool.core.models import utcnow
from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db
from lahti_pool.matching import offers, services
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.models import (
    GroupOffer,
    JobStatus,
    MatchingJob,
    MatchingRun,
    OfferStatus,
)
from lahti_pool.requests.models import RequestKind, SupervisionRequest
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions.models import ProcessMember, SupervisionProcess, SupervisionSession
from lahti_pool.slots.models import OnDutySlot

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

SECRET_KEY = "two-nodes-test-secret-key-0123456789abcdef"  # one key: a login holds on both
BASE_URL = "https://tyonohjaus.lahti.example"  # the proxy's address, the same on both nodes


@dataclass
class Node:
    name: str
    base: str  #: its gunicorn, http://127.0.0.1:<port>
    env: dict

    def flask(self, *args: str, **env: str) -> subprocess.Popen:
        """Start ``flask --app wsgi <args>`` on this node, as its systemd timer would."""
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )


def _finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err[-3000:]
    return out


def _at_once(*processes: subprocess.Popen) -> list[str]:
    return [_finish(p) for p in processes]


@pytest.fixture(scope="module")
def nodes(database_url):
    """Two gunicorn instances of ``wsgi:app`` on two free loopback ports, one database."""
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "two app nodes share one PostgreSQL; two nodes on one SQLite file is not a "
            "deployment (run with --db=postgresql)"
        )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        # Production mode would mark the session cookie Secure, which plain http on
        # 127.0.0.1 does not send back; everything else is the production configuration.
        "LAHTI_POOL_ENV": "development",
        "BASE_URL": BASE_URL,
        "MATCHING_RUNNER": "worker",
    }
    started = []
    for name in ("A", "B"):
        port = free_port()
        process = start_gunicorn(env, port, workers=2)
        started.append((Node(name, f"http://127.0.0.1:{port}", env), process))
    try:
        for node, process in started:
            wait_until_up(node.base, process)
        yield {node.name: node for node, _process in started}
    finally:
        for _node, process in started:
            stop_gunicorn(process)
            process.stderr.close()


# --- the shared SMTP sink -----------------------------------------------------------------


class Sink:
    """An SMTP server that records every message; its first delivery is held until a second
    one arrives, so the two nodes' mail workers are seen to deliver at the same time."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.overlapped = False
        self._second: asyncio.Event | None = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
            count = len(self.messages)
        if self._second is None:
            self._second = asyncio.Event()
        if count == 1:
            # The first worker is stuck here, so the next message comes from the other.
            try:
                await asyncio.wait_for(self._second.wait(), timeout=20)
                self.overlapped = True
            except TimeoutError:
                pass
        else:
            self._second.set()
        return "250 Message accepted for delivery"

    def message_ids(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.messages)


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(controller.port)}
    controller.stop()


# --- mail ---------------------------------------------------------------------------------


def test_both_nodes_mail_workers_at_once_deliver_every_message_exactly_once(
    nodes, sink, make_user, ctx
):
    server, smtp = sink
    people = [make_user() for _ in range(6)]
    for person in people:
        for _ in range(5):
            queue_mail(
                person,
                "request_received",
                "requests/request_received",
                _l("We received your supervision request"),
                sup_request=None,
                link=f"{BASE_URL}/requests/1",
            )
    db.session.commit()
    queued = set(db.session.scalars(select(MailMessage.message_id)))
    assert len(queued) == 30

    outputs = _at_once(
        nodes["A"].flask("pool", "send-mail", **smtp),
        nodes["B"].flask("pool", "send-mail", **smtp),
    )

    received = server.message_ids()
    assert set(received) == queued  # none lost
    assert max(received.values()) == 1  # none twice
    assert server.overlapped, "the two workers did not deliver at the same time"
    sent = [int(out.split("Sent ")[1].split(",")[0]) for out in outputs]
    assert sum(sent) == 30 and min(sent) >= 1, outputs  # both nodes delivered a share
    db.session.expire_all()
    statuses = Counter(db.session.scalars(select(MailMessage.status)))
    assert statuses == {MailStatus.SENT: 30}


# --- daily jobs ---------------------------------------------------------------------------


def _planned_session(supervisor, client, year, starts_at) -> SupervisionSession:
    sup_request = SupervisionRequest(
        kind=RequestKind.INDIVIDUAL,
        requester_id=client.id,
        school_year_id=year.id,
        sessions_requested=3,
        wanted_from=starts_at.date(),
    )
    db.session.add(sup_request)
    db.session.flush()
    process = SupervisionProcess(
        request_id=sup_request.id,
        supervisor_id=supervisor.id,
        school_year_id=year.id,
        kind=RequestKind.INDIVIDUAL,
        sessions_granted=3,
        price_cents=9000,
        vat_percent=Decimal("25.50"),
        rule="ranking",
        members=[ProcessMember(user_id=client.id)],
    )
    db.session.add(process)
    db.session.flush()
    sup_session = SupervisionSession(
        process_id=process.id,
        starts_at=starts_at,
        on_date=starts_at.date(),
        duration_minutes=60,
        mode="video",
    )
    db.session.add(sup_session)
    db.session.flush()
    # A cost: the budget ledger has a change row to fold.
    db.session.add(
        SessionCost(
            session_id=sup_session.id, division_id=client.unit.division_id, amount_cents=9000
        )
    )
    return sup_session


def _wait_for_lock_waiters(table: str, n: int = 2) -> None:
    deadline = time.monotonic() + 120
    waiting = 0
    while time.monotonic() < deadline:
        waiting = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query ILIKE :table"
            ),
            {"table": f"%{table}%"},
        )
        db.session.commit()  # pg_stat_activity is read once per transaction
        if waiting >= n:
            return
        time.sleep(0.1)
    pytest.fail(f"{waiting} of {n} daily-jobs runs reached the database")


def test_both_nodes_daily_jobs_at_once_queue_each_reminder_and_digest_once(
    nodes, make_user, supervisor, school_year, today
):
    clients = [make_user() for _ in range(4)]
    # Tomorrow as the daily jobs count it (the pool's local day, not UTC's: between 22 and 24
    # UTC they differ), at noon.
    local_tomorrow = local_today(utcnow()) + timedelta(days=1)
    noon = datetime.combine(local_tomorrow, clock_time(12, 0), tzinfo=ZoneInfo("Europe/Helsinki"))
    tomorrow = noon.astimezone(UTC)
    for client in clients:
        _planned_session(supervisor, client, school_year, tomorrow)
    # A free on-duty slot this week: the weekly digest goes to staff with quota left.
    db.session.add(
        OnDutySlot(
            supervisor_id=supervisor.id,
            starts_at=tomorrow + timedelta(days=1),
            on_date=(tomorrow + timedelta(days=1)).date(),
            mode="video",
        )
    )
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(BudgetUsageChange)) > 0

    # Hold both runs at their first write (the first job clears old mail texts) until
    # both are there, so that the two nodes' jobs run at the same moment.
    db.session.commit()  # the test's own reads hold no lock the gate waits for
    with db.engine.connect() as gate:
        gate.execute(text("SET LOCAL lock_timeout = '60s'"))
        gate.execute(text(f"LOCK TABLE {MailMessage.__tablename__} IN EXCLUSIVE MODE"))
        runs = [nodes["A"].flask("pool", "daily-jobs"), nodes["B"].flask("pool", "daily-jobs")]
        _wait_for_lock_waiters(MailMessage.__tablename__)
        gate.rollback()
    outputs = _at_once(*runs)

    db.session.expire_all()
    kinds = Counter(db.session.scalars(select(MailMessage.kind)))
    # a reminder to each client and four to the supervisor (one per session); a digest
    # to each of the four staff
    assert kinds == {"reminder": 8, "weekly_digest": 4}, outputs
    ids = db.session.scalars(select(MailMessage.message_id)).all()
    assert len(ids) == len(set(ids))
    reminders = sum(int(out.split("Queued ")[1].split(" reminders")[0]) for out in outputs)
    assert reminders == 8, outputs  # what the two nodes say they queued adds up
    # The ledger was folded once, by one of them, and adds up (ctx checks the sums too).
    assert db.session.scalar(select(func.count()).select_from(BudgetUsageChange)) == 0
    assert db.session.scalar(select(func.sum(BudgetUsage.committed_cents))) == 4 * 9000


def test_both_nodes_daily_jobs_at_once_expire_a_stale_group_offer_once(
    nodes, app, admin, make_user, make_supervisor, school_year, today
):
    """Each member of an expired offer hears once that they are back in the queue."""
    make_supervisor(rank=1, kinds=["individual"], capacity_processes=1)
    make_supervisor(rank=2, kinds=["group"], price_group_cents=20000)
    for n in range(4):  # one individual place: three are proposed a group
        data = RequestInput(
            school_year_id=school_year.id,
            sessions=6,
            modes=("video",),
            language="fi",
            wanted_from=today,
        )
        submit_individual_request(make_user(name=f"Opettaja {n}"), data, today)
        db.session.commit()
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    offer = offers.offer_group(admin, run, 1)
    offer.created_at = utcnow() - timedelta(days=app.config["GROUP_OFFER_DAYS"] + 1)
    db.session.commit()
    members = [m.request_id for m in offer.members]
    assert len(members) == 3

    # Both runs read the open offers at the same moment: held at that read until both
    # are there, then released together.
    db.session.commit()  # the test's own reads hold no lock the gate waits for
    with db.engine.connect() as gate:
        gate.execute(text("SET LOCAL lock_timeout = '60s'"))
        gate.execute(text(f"LOCK TABLE {GroupOffer.__tablename__} IN ACCESS EXCLUSIVE MODE"))
        runs = [nodes["A"].flask("pool", "daily-jobs"), nodes["B"].flask("pool", "daily-jobs")]
        _wait_for_lock_waiters(GroupOffer.__tablename__)
        gate.rollback()
    outputs = _at_once(*runs)

    expired = sum(int(out.split("Expired ")[1].split(" group")[0]) for out in outputs)
    assert expired == 1, outputs
    db.session.expire_all()
    assert db.session.get(GroupOffer, offer.id).status == OfferStatus.CANCELLED
    events = db.session.execute(select(AuditEvent.action, AuditEvent.details)).all()
    expiries = [d for action, d in events if action == "group_offer.expired"]
    back_to_queue = [
        d
        for action, d in events
        if action == "request.status_changed"
        and (d.get("old"), d.get("new"))
        == (RequestStatus.GROUP_OFFERED.value, RequestStatus.WAITLISTED.value)
    ]
    assert (len(expiries), len(back_to_queue)) == (1, 3)
    back = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == NotificationKind.REQUEST_STATUS)
    ).all()
    assert len(back) == len(set(back)) == 3  # each member told once


# --- matching -----------------------------------------------------------------------------


def test_a_matching_run_started_on_one_node_is_seen_and_refused_on_the_other(
    nodes, make_user, make_supervisor, school_year, today
):
    admin = make_user(name="Aino Admin", roles={Role.ADMIN}, locale="en")
    make_supervisor(rank=1)
    waiting = make_user()
    data = RequestInput(
        school_year_id=school_year.id,
        sessions=4,
        modes=("video",),
        language="fi",
        wanted_from=today,
    )
    submit_individual_request(waiting, data, today)
    db.session.commit()
    a, b = nodes["A"], nodes["B"]
    # One browser behind the proxy: its requests land on either node, with one login.
    browser = Browser(a.base)
    browser.post(
        "/login",
        {"csrf_token": _token(browser.get("/login")), "email": admin.email, "password": PASSWORD},
    )

    page = browser.post(
        "/admin/matching/run",
        {"csrf_token": _token(browser.get("/admin/matching/")), "policy": "ranking"},
    )
    assert "Matching has started" in page

    browser.base = b.base
    page = browser.get("/admin/matching/")
    assert "is in progress: waiting to start" in page  # node B sees node A's run
    page = browser.post("/admin/matching/run", {"csrf_token": _token(page), "policy": "balanced"})
    assert "A matching run is already in progress" in page  # and refuses a second
    jobs = db.session.scalars(select(MatchingJob)).all()
    assert [(j.status, j.active) for j in jobs] == [(JobStatus.QUEUED, 1)]

    # Both nodes' matching workers look at once; one computes the run.
    outputs = _at_once(a.flask("pool", "matching-worker"), b.flask("pool", "matching-worker"))
    assert "".join(outputs).count("Computed 1 matching runs.") == 1, outputs

    page = browser.get("/admin/matching/")  # still on node B
    assert "is in progress" not in page
    assert "Served 1 of 1" in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(MatchingRun)) == 1
