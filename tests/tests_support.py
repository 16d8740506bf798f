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


@contextmanager
def fresh_database(name: str, tmp_path, revision: str = "head"):
    """An app on a new, empty database of the suite's kind (SQLite file or PostgreSQL
    database ``name``), migrated to ``revision``, its context pushed."""
    import flask_migrate
    from sqlalchemy import create_engine

    from lahti_pool import create_app
    from lahti_pool.config import TestConfig

    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        fresh_url = url.set(database=name).render_as_string(hide_password=False)
    else:
        fresh_url = f"sqlite:///{tmp_path / f'{name}.db'}"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = fresh_url

    fresh = create_app(Config)
    with fresh.app_context():
        if revision:
            flask_migrate.upgrade(revision=revision)
        try:
            yield fresh
        finally:
            db.session.remove()
            db.engine.dispose()


# --- the app under gunicorn on 127.0.0.1, and a person's browser ---------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def csrf_token(html: str) -> str:
    import re

    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


class Browser:
    """A person's browser: one cookie jar, plain urllib (no test client in between)."""

    def __init__(self, base: str) -> None:
        import http.cookiejar
        import urllib.request

        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:  # noqa: S310
            return response.read().decode()

    def post(self, path: str, data: dict) -> str:
        import urllib.parse

        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, body, timeout=30) as response:  # noqa: S310
            return response.read().decode()


def start_gunicorn(env: dict, port: int, workers: int = 4):
    """``gunicorn wsgi:app`` on 127.0.0.1:``port`` in its own process group (the caller
    stops it with ``stop_gunicorn``); ``env`` is added to this process's environment."""
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
        + ["--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_until_up(base: str, process) -> None:
    """Wait up to a minute for the login page; fail loudly with gunicorn's own error."""
    import time
    import urllib.request

    import pytest

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login", timeout=2).close()  # noqa: S310
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    stop_gunicorn(process)
    pytest.fail(f"gunicorn at {base} did not start: {process.stderr.read().decode()[-2000:]}")


def stop_gunicorn(process) -> None:
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


@contextmanager
def gunicorn(env: dict, workers: int = 4) -> Iterator[str]:
    """The app under gunicorn on a free loopback port, up and answering: its base URL."""
    port = free_port()
    process = start_gunicorn(env, port, workers)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base
    finally:
        stop_gunicorn(process)
        process.stderr.close()
