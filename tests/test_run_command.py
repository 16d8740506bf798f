"""The README's run command serves the demo app."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_run_serves_the_login_page_with_demo_data(request, tmp_path):
    if request.config.getoption("--db") != "sqlite":
        pytest.skip("the run command always uses SQLite; the SQLite pass runs this test")
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
    }
    log = (tmp_path / "run.log").open("w+")
    process = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:  # noqa: S310
                    status = r.status
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert status == 200, output[-3000:]
        assert "Supervision pool" in body or "Työnohjauspooli" in body or "<form" in body
        assert "staff@demo.lahti.fi" in output  # the demo logins are printed
        assert "local SMTP sink" in output and "instance/mail" in output  # where mail goes
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
