"""The classic read-check-write bugs, for the concurrency tests' negative controls.

``switch_on(monkeypatch)`` puts them in place of the race-free guards for one test, so
the tests show they could see overbooking; production code carries no switch for them.
"""

import sys
import time

from sqlalchemy import func, select, update

from lahti_pool.core.errors import N_
from lahti_pool.extensions import db
from lahti_pool.requests import quota
from lahti_pool.requests.models import QuotaAccount
from lahti_pool.requests.rules import apply_quota
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.services import booking, browsing
from lahti_pool.supervisors import capacity
from lahti_pool.supervisors.capacity import CapacityExceeded
from lahti_pool.supervisors.models import SupervisorLoad

#: the other work a real request does between reading and writing
PAUSE = 0.002


def change_quota(account: QuotaAccount, op, n: int = 1) -> None:
    """Read, check in Python, write absolute values: two workers both pass the check."""
    db.session.refresh(account)
    new = apply_quota(account.state(), op, n)
    time.sleep(PAUSE)
    db.session.execute(
        update(QuotaAccount)
        .where(QuotaAccount.id == account.id)
        .values(pending=new.pending, reserved=new.reserved, used=new.used)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(account)


def reserve(supervisor_id: int, year, sessions: int, *, process_place: bool = True) -> None:
    cap = capacity.capacities(year, [supervisor_id])[supervisor_id]
    if cap.free_sessions < sessions:
        raise CapacityExceeded(N_("No free capacity."))
    time.sleep(PAUSE)
    capacity.ensure_load(supervisor_id, year)
    db.session.execute(
        update(SupervisorLoad)
        .where(
            SupervisorLoad.supervisor_id == supervisor_id,
            SupervisorLoad.school_year_id == year.id,
        )
        .values(sessions_granted=cap.sessions_granted + sessions)
        .execution_options(synchronize_session=False)
    )


def claim(actor, slot, now) -> None:
    free = db.session.scalar(
        select(func.count()).where(OnDutySlot.id == slot.id, browsing.free_for(actor.id, now))
    )
    time.sleep(PAUSE)
    if not free:
        raise booking.SlotUnavailable(N_("Somebody else booked this slot a moment ago."))
    db.session.execute(
        update(OnDutySlot)
        .where(OnDutySlot.id == slot.id)
        .values(status=SlotStatus.BOOKED, booked_by_id=actor.id, booked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(slot)


def _replace_everywhere(monkeypatch, original, replacement) -> None:
    """Replace ``original`` in every app module that imported it by name."""
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("lahti_pool"):
            for name, value in list(vars(module).items()):
                if value is original:
                    monkeypatch.setattr(module, name, replacement)


def reserve_nothing(supervisor_id: int, year, sessions: int, *, process_place: bool = True):
    """No capacity kept at all: for the slot's control, where the supervisor has room to
    spare, and where the row lock of any capacity write would order the bookings before
    they reach the claim (a booking opens its process, capacity included, first)."""


def switch_on(monkeypatch, capacity_reserve=reserve) -> None:
    _replace_everywhere(monkeypatch, quota.change_quota, change_quota)
    _replace_everywhere(monkeypatch, capacity.reserve, capacity_reserve)
    monkeypatch.setattr(booking, "_claim", claim)
    # The budget guard without its lock (the ledger's fold is a write too: on SQLite it
    # would take the one write lock just as early).
    from lahti_pool.budget import guard

    monkeypatch.setattr(guard, "_lock_year", lambda fiscal_year: None)
    # Nor the overlap check of issue 16 (a supervisor is never in two sessions at once): its
    # row lock, held from before the claim, and its look for a clashing session after the
    # claim would each keep two bookings of one slot apart on their own.
    from lahti_pool.sessions import overlaps

    monkeypatch.setattr(overlaps, "lock_supervisor", lambda supervisor_id: None)
    monkeypatch.setattr(overlaps, "supervisor_clashes", lambda *args, **kwargs: [])
