"""A reproducible city-scale data generator (``flask pool demo --scale city``).

``generate_city(factor=1.0)`` fills an empty database with about 50,000 staff in 1,500
units and 6 divisions, 500 supervisors and five school years of history ending with
the current one: requests, processes, about a million sessions with their approvals,
costs, invoice statements and feedback, on-duty slots, budgets, and a current year in
progress (a bounded matching queue, coming sessions, logs awaiting approval). The
same seed, factor and ``today`` give the same rows, but for the random salt of the one
password hash every user shares (hashed once: Argon2 is slow on purpose). Rows are
written in bulk (see writer.py), and every counter the app keeps is the sum of what the
rows say (checks.py recomputes them).

Layout: params (sizes and proportions), calendar, city and supervisors (the static
city), demand (requests), allocate (supervisors for them), sessions and batch (a
supervisor's year), slots (on-duty), billing (statements, budgets), current (the
queue and the accounts), known (the known logins), year (one school year).
"""

import random
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select, text

from lahti_dev.demo import DEMO_PASSWORD
from lahti_dev.scale import billing, writer
from lahti_dev.scale.calendar import school_years
from lahti_dev.scale.city import build_city
from lahti_dev.scale.context import Run
from lahti_dev.scale.params import YEARS, Scale
from lahti_dev.scale.year import simulate
from lahti_pool.accounts.passwords import hash_password
from lahti_pool.budget import ledger
from lahti_pool.extensions import db

#: rows per batch: big enough for fast executemany/COPY, small enough to keep memory flat
BATCH_ROWS = 20_000


class DatabaseNotEmpty(RuntimeError):
    """The generator only fills an empty database."""


def _refuse_unless_empty(conn) -> None:
    for name in writer.BulkWriter.tables():
        table = db.metadata.tables[name]
        if conn.execute(select(table).limit(1)).first() is not None:
            users = conn.execute(
                select(func.count()).select_from(db.metadata.tables["users"])
            ).scalar()
            raise DatabaseNotEmpty(
                f"The database already holds data ({users} users, rows in {name}). The city "
                "generator fills an empty database only: point DATABASE_URL at a new database "
                "(or a new SQLite file), run `flask db upgrade`, then run it again."
            )


def _questions(conn) -> list[tuple[int, str]]:
    rows = conn.execute(text("SELECT position, text_fi FROM pre_questions ORDER BY position"))
    return [(position, question) for position, question in rows]


def _final_counters(run: Run, current) -> None:
    """The supervisors' active processes, known once the current year is generated."""
    updates = []
    for sup in run.city.supervisors:
        active = current.batches[sup.id].active
        places = max(sup.capacity_processes, active + run.proposed[sup.id])
        if active or places != sup.capacity_processes:
            updates.append({"id": sup.id, "active_processes": active, "capacity_processes": places})
    run.writer.update("supervisors", "id", updates)


def generate_city(
    *,
    factor: float = 1.0,
    seed: int = 2026,
    today: date | None = None,
    progress: bool | Callable[[int], None] = False,
) -> dict[str, int]:
    """Fill the empty database with the city; returns the rows written per table.

    Runs in the app context against ``db.engine`` on one connection and transaction of
    its own (the ORM session is closed first); raises DatabaseNotEmpty when any table
    but the migrations' seeded pre-questions holds rows. ``progress`` is True for a
    progress bar on the terminal, or a callable given the steps done.
    """
    today = today or date.today()
    scale = Scale.of(factor)
    rng = random.Random(f"lahti-pool-city:{seed}")  # noqa: S311 - test data, not secrets
    password_hash = hash_password(DEMO_PASSWORD)  # once: Argon2 is slow on purpose
    years = school_years(today, YEARS)
    db.session.close()
    with db.engine.connect() as conn:
        _refuse_unless_empty(conn)
        questions = _questions(conn)
        saved = writer.prepare(conn)
        conn.commit()
        try:
            with conn.begin(), _progress(progress, scale.supervisors * YEARS) as tick:
                rebuild = writer.drop_indexes_and_keys(conn, writer.BulkWriter.tables())
                rebuild += writer.set_triggers_aside(conn, writer.BulkWriter.tables())
                out = writer.BulkWriter(conn, BATCH_ROWS)
                try:
                    ids = writer.Ids()
                    city = build_city(rng, scale, out, ids, years, password_hash, today, questions)
                    run = Run(rng=rng, city=city, writer=out, ids=ids, today=today, scale=scale)
                    for year in years:
                        state = simulate(run, year, tick)
                    billing.budgets(run, run.queue_cents)
                    out.close()
                except BaseException:
                    out.abort()
                    raise
                _final_counters(run, state)
                ledger.fill(conn)
                writer.run_all(conn, rebuild)
                writer.check_foreign_keys(conn)
                writer.reset_sequences(conn)
                writer.bump_data_versions(conn)
        finally:
            writer.restore(conn, saved)
            conn.commit()
        writer.analyze(conn)
        conn.commit()
    return dict(sorted(out.counts.items()))


class _NoBar:
    def __init__(self, tick=None) -> None:
        self.tick = tick or (lambda n: None)

    def __enter__(self):
        return self.tick

    def __exit__(self, *exc) -> None:
        return None


def _progress(progress, length: int):
    if callable(progress):
        return _NoBar(progress)
    if not progress:
        return _NoBar()
    import click

    bar = click.progressbar(length=length, label="Generating the city", show_eta=True)

    class _Bar:
        def __enter__(self):
            bar.__enter__()
            return bar.update

        def __exit__(self, *exc) -> None:
            bar.__exit__(*exc)

    return _Bar()
