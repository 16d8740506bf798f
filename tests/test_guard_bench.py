"""benchmarks/guard_bench.py runs on a small generated city and writes nothing."""

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from lahti_pool.budget.models import BudgetUsage
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.scale import generate_city

ROOT = Path(__file__).resolve().parent.parent


def _counts() -> list[int]:
    tables = (BudgetUsage, MailMessage, AuditEvent)
    return [db.session.scalar(select(func.count()).select_from(t)) for t in tables]


def test_the_guard_bench_times_both_ways_and_leaves_the_city_as_it_was(ctx, database_url):
    today = date.today()
    generate_city(factor=0.002, today=today)
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
    rows = re.findall(
        r"^\| (check_budget|summed_usage) .*\| ([\d.]+) \| ([\d.]+) \|$", done.stdout, re.M
    )
    assert [name for name, _, _ in rows] == ["check_budget", "summed_usage"]
    assert all(float(median) <= float(slowest) for _, median, slowest in rows)
    assert _counts() == before
