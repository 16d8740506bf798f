"""Constants and helpers shared by tests and conftest."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text

from lahti_pool.extensions import db

PASSWORD = "correct horse battery staple"

#: the form data of a confirmation page's button (lahti_pool/core/confirm.py)
CONFIRMED = {"confirmed": "yes"}

#: tables the migrations seed, kept between tests
KEEP_TABLES = {"alembic_version", "pre_questions", "data_versions"}


def empty_all_tables() -> None:
    """Delete every row a test wrote (in the app context)."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        with db.engine.begin() as conn:
            for table in reversed(tables):
                conn.execute(table.delete())
            # The triggers of migration 0007 wrote the deleted costs into the ledger.
            conn.execute(text("DELETE FROM budget_usage_changes"))
            conn.execute(text("DELETE FROM budget_usage"))


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL statements sent inside the block (the list fills as they go)."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, url: str) -> int:
    """How many SQL statements a page sends; the page must answer 200."""
    with counted_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def add_slot(supervisor, starts_at, mode: str = "video"):
    """An open one-hour on-duty slot of ``supervisor`` at ``starts_at`` (UTC), flushed."""
    from lahti_pool.slots.models import OnDutySlot
    from lahti_pool.slots.rules import local_date

    slot = OnDutySlot(
        supervisor_id=supervisor.id,
        starts_at=starts_at,
        on_date=local_date(starts_at),
        mode=mode,
        duration_minutes=60,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def redis_server() -> Iterator[str]:
    """Debian's redis-server on a free loopback port, nothing saved to disk; its URL.

    Production keeps login throttling in Redis, shared by the gunicorn workers.
    """
    import shutil
    import signal
    import socket
    import subprocess
    import time

    import pytest

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed: apt-get install redis-server")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("redis-server did not start")
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def submit_at_once(app, login_id: str, path: str, data: dict, tabs_count: int = 10) -> list[str]:
    """A double submit: POST from ``tabs_count`` logged-in tabs released together.

    Each tab's answer: the status and the page it shows next, or the exception raised."""
    tabs = []
    for _ in range(tabs_count):
        tab = app.test_client()
        with tab.session_transaction() as session:  # logged in as ``User.get_id()``
            session["_user_id"], session["_fresh"] = login_id, True
        tabs.append(tab)
    import threading

    barrier = threading.Barrier(tabs_count)
    answers: list[str] = []

    def submit(tab):
        barrier.wait()
        try:
            response = tab.post(path, data=data)
            page = tab.get(response.headers["Location"]).get_data(as_text=True)
            answers.append(f"{response.status_code} {page}")
        except Exception as error:  # noqa: BLE001 - a server error, reported below
            answers.append(f"error {type(error).__name__}: {error}")

    threads = [threading.Thread(target=submit, args=(tab,)) for tab in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers
