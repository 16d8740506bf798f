"""What the budget guard costs on a generated city: the ledger read against a year's SUM.

Every booking, planned session and accepted assignment runs the guard while it holds the
year's budget rows locked, so its time is also how long the next one in the city waits.
This times, in-process on a city database (``flask pool demo --scale city``):

- ``check_budget`` as the app runs it: lock the year's budget rows, read the ledger
  ``budget_usage`` (migration 0007);
- ``ledger.summed``: the SUM over the year's session costs that the guard ran before the
  ledger existed (and that the tests compare the ledger with);
- ``book_slot``: a whole booking of an open on-duty slot (guard, claim, quota, process,
  session, costs, confirmation e-mails), each by another staff member for another slot.

    python benchmarks/guard_bench.py --database-url sqlite:////tmp/lahti-city.db

Each is run ``--repeat`` times after a first, untimed run; the median and the slowest are
printed. Nothing is written: the runs are rolled back.
"""

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from lahti_pool import create_app  # noqa: E402
from lahti_pool.accounts.models import Role, User, UserRole  # noqa: E402
from lahti_pool.budget import ledger  # noqa: E402
from lahti_pool.budget.guard import check_budget  # noqa: E402
from lahti_pool.config import Config  # noqa: E402
from lahti_pool.core.errors import DomainError  # noqa: E402
from lahti_pool.extensions import db  # noqa: E402
from lahti_pool.organisation.models import Division  # noqa: E402
from lahti_pool.slots.models import OnDutySlot, SlotStatus  # noqa: E402
from lahti_pool.slots.services import book_slot  # noqa: E402


def timed(action, repeat: int) -> list[float]:
    """Milliseconds of each run of ``action`` after an untimed first one, in one transaction
    that is rolled back. The first run queues the threshold e-mails where the year is past
    its threshold, as the first booking past it did in a real city; later ones find them."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    db.session.rollback()
    return times


def bookings(repeat: int):
    """``repeat`` (staff member, coming open slot) pairs, each booking in a savepoint
    that is rolled back; a booking refused (no quota, a conflict of units) still counts."""
    now = datetime.now(UTC)
    slots = db.session.scalars(
        select(OnDutySlot)
        .where(OnDutySlot.status == SlotStatus.OPEN, OnDutySlot.starts_at > now)
        .order_by(OnDutySlot.starts_at)
        .limit(repeat + 1)
    ).all()
    staff = db.session.scalars(
        select(User)
        .join(UserRole)
        .where(UserRole.role == Role.STAFF, User.unit_id.is_not(None), User.is_active_account)
        .order_by(User.id.desc())
        .limit(repeat + 1)
    ).all()
    pairs = iter(list(zip(staff, slots, strict=False)))
    refused = []

    def book() -> None:
        person, slot = next(pairs)
        savepoint = db.session.begin_nested()
        try:
            book_slot(person, slot, dict.fromkeys((1, 2, 3), "A benchmark answer"), now)
        except DomainError as error:
            refused.append(error.message)
        savepoint.rollback()

    return book, min(len(staff), len(slots)) - 1, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--year", type=int, default=date.today().year)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = args.database_url
        SECRET_KEY = "guard-bench-" + "x" * 32  # noqa: S105 (no session is signed)

    app = create_app(BenchConfig)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@city.example.fi"))
        division = db.session.scalar(select(Division.id).order_by(Division.id))
        if admin is None or division is None:
            sys.exit("No generated city here: run flask pool demo --scale city first.")
        rows = {
            "check_budget (the ledger, under the lock)": lambda: check_budget(
                admin, args.year, {division: 9_100}, override_reason="benchmark"
            ),
            "ledger.summed (the year's SUM, as before 0007)": lambda: ledger.summed(args.year),
        }
        book, can_book, refused = bookings(args.repeat)
        if can_book >= args.repeat:
            rows["book_slot (a whole booking of an on-duty slot)"] = book
        else:
            print(f"Only {can_book} coming open slots: no booking row.")
        print(f"{db.engine.dialect.name}, fiscal year {args.year}, {args.repeat} runs each")
        print("| what | median ms | slowest ms |\n| --- | ---: | ---: |")
        for name, action in rows.items():
            times = timed(action, args.repeat)
            print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} |")
        if refused:  # the first, untimed run is among them if it was refused
            print(f"{len(refused)} of the {args.repeat + 1} bookings were refused: {refused[0]}")


if __name__ == "__main__":
    main()
