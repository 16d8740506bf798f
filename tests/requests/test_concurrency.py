"""Two tabs, two workers: the quota holds under concurrent requests.

Runs against the suite's database: a file SQLite database by default, the
throwaway PostgreSQL cluster with ``--db=postgresql``.
"""

import threading

from sqlalchemy import func, select

from lahti_pool.core.errors import QuotaExceeded
from lahti_pool.extensions import db
from lahti_pool.requests.models import QuotaAccount, SupervisionRequest
from lahti_pool.requests.quota import account_for, change_quota
from lahti_pool.requests.rules import QuotaOp
from lahti_pool.requests.services import (
    OpenRequestExists,
    RequestInput,
    submit_individual_request,
)

THREADS = 8


def test_concurrent_requests_never_exceed_the_quota(app, staff, school_year, today):
    """Eight workers send the same request at once (a double click, resubmitted tabs):
    exactly one is kept and holds its sessions; the quota counters match the requests."""
    data = RequestInput(
        school_year_id=school_year.id,
        sessions=1,
        modes=("video",),
        language="fi",
        wanted_from=today,
    )
    # 7 sessions held already, as a group request holds them: one individual request
    # per person and year may wait at a time (requests/services.py).
    change_quota(account_for(staff.id, school_year), QuotaOp.HOLD, 7)
    db.session.commit()
    staff_id = staff.id
    db.session.remove()

    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def attempt():
        with app.app_context():
            user = db.session.get(type(staff), staff_id)
            barrier.wait()
            try:
                submit_individual_request(user, data, today)
                db.session.commit()
                outcomes.append("ok")
            except (QuotaExceeded, OpenRequestExists):
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes) == ["ok"] + ["refused"] * (THREADS - 1)
    account = db.session.scalar(select(QuotaAccount).where(QuotaAccount.user_id == staff_id))
    assert account.pending == 8
    held = db.session.scalar(
        select(func.sum(SupervisionRequest.sessions_requested)).where(
            SupervisionRequest.requester_id == staff_id
        )
    )
    assert held == 1
