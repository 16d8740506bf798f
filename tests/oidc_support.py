"""The OpenID provider process the sign-in tests use (tests/oidc_provider.py), and fixtures.

``oidc_provider`` starts the provider once per test run on a free loopback port;
``sso`` points the app at it for one test (and back after).
"""

import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from lahti_pool.accounts import oidc

CLIENT_ID = "lahti-pool-test"
CLIENT_SECRET = "test-client-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("oidc_provider.py")), str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdout.readline().strip() == b"ready"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)

    def set_user(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def fault(self, **faults) -> None:
        requests.post(f"{self.issuer}/_faults", json=faults, timeout=5).raise_for_status()

    def approve(self, authorize_url: str, sub: str) -> str:
        """The person signs in at the provider as ``sub``: the URL it sends the browser back to."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture(scope="session")
def oidc_provider():
    provider = Provider()
    yield provider
    provider.stop()


@pytest.fixture
def sso(ctx, oidc_provider, monkeypatch):
    """The app signs in through the provider process (staff number linking, no groups)."""
    settings = {
        "OIDC_ISSUER": oidc_provider.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_LINK_BY": "staff_number",
        "OIDC_STAFF_NUMBER_CLAIM": "employeeid",
        "OIDC_SUBJECT_CLAIM": "sub",
        "OIDC_ALLOWED_TENANTS": "",
        "OIDC_GROUP_ROLES": "",
        "OIDC_TIMEOUT_SECONDS": 2.0,
    }
    for key, value in settings.items():
        monkeypatch.setitem(ctx.config, key, value)
    oidc.forget_discovery()
    oidc_provider.fault()
    yield oidc_provider
    oidc_provider.fault()
    oidc.forget_discovery()


def sign_in(client, provider: Provider, sub: str, next_url: str | None = None):
    """Sign in through the provider over HTTP; the app's answer to the provider's redirect."""
    start = client.get("/login/sso" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.get_data(as_text=True)
    back = urlsplit(provider.approve(start.headers["Location"], sub))
    return client.get(f"{back.path}?{back.query}")
