"""benchmarks/guard_bench.py runs on a small generated city and writes nothing (its
bookings included)."""

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from tests_support import add_slot

from lahti_dev.scale import generate_city
from lahti_pool.budget.models import BudgetUsage
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.sessions.models import SupervisionSession
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.supervisors.models import Supervisor

ROOT = Path(__file__).resolve().parent.parent


def _counts() -> list[int]:
    tables = (BudgetUsage, MailMessage, AuditEvent, SupervisionSession)
    counts = [db.session.scalar(select(func.count()).select_from(t)) for t in tables]
    open_slots = select(func.count()).where(OnDutySlot.status == SlotStatus.OPEN)
    return [*counts, db.session.scalar(open_slots)]


def test_the_guard_bench_times_both_ways_and_leaves_the_city_as_it_was(ctx, database_url):
    today = date.today()
    generate_city(factor=0.002, today=today)
    # coming slots to book whatever the season (the city publishes none in the summer)
    supervisor = db.session.scalar(select(Supervisor).where(Supervisor.active).limit(1))
    soon = utcnow().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=3)
    for day in range(5):
        starts_at = soon + timedelta(days=day)
        add_slot(supervisor, starts_at)
    db.session.commit()
    before = _counts()
    db.session.remove()
    command = [sys.executable, "benchmarks/guard_bench.py", "--database-url", database_url]
    done = subprocess.run(
        [*command, "--repeat", "3", "--year", str(today.year)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    row = r"^\| (check_budget|ledger\.summed|book_slot) .*\| ([\d.]+) \| ([\d.]+) \|$"
    rows = re.findall(row, done.stdout, re.M)
    assert [name for name, _, _ in rows] == ["check_budget", "ledger.summed", "book_slot"], (
        done.stdout
    )
    assert all(float(median) <= float(slowest) for _, median, slowest in rows)
    assert _counts() == before
