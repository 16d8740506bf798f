"""A real browser (Debian's Chromium driven by Playwright) against the app on 127.0.0.1.

The app runs in a thread of the test process on a free loopback port, against the
suite's database. Chromium must be installed (the test command installs it);
without it these tests fail, they do not skip.
"""

import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def live_server(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), (
        "Debian's Chromium is missing: apt-get install chromium (the README's test command "
        "installs it)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


class Visitor:
    """A browser tab that checks every page it visits with axe-core (WCAG 2.1 A/AA)."""

    def __init__(self, page, base_url: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.base = base_url
        self.axe = Axe()
        self.scanned: list[str] = []

    def check(self) -> None:
        results = self.axe.run(self.page, options={"runOnly": {"type": "tag", "values": WCAG}})
        self.scanned.append(self.page.url)
        assert results.violations_count == 0, f"{self.page.url}:\n{results.generate_report()}"

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        self.check()

    def login(self, email: str, password: str) -> None:
        self.goto("/login")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state()
        self.check()

    def logout(self) -> None:
        self.page.get_by_role("button", name="Log out").click()
        self.page.wait_for_load_state()


@pytest.fixture
def visitor(browser, live_server, ctx):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield Visitor(page, live_server)
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
