"""Plumbing for the wapiti scan: a TLS certificate, the app under gunicorn, logins, reports."""

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest
from tests_support import redis_server

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("wapiti_launcher.py")
#: one access-log line per request: status, method, microseconds, path, User-Agent, Location
ACCESS_LOG_FORMAT = "\t".join(["%(s)s", "%(m)s", "%(D)s", "%(U)s", "%(a)s", "%({location}o)s"])


class Hit(NamedTuple):
    """One request the app answered, from gunicorn's access log."""

    status: str
    method: str
    micros: int
    path: str
    agent: str
    location: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the openssl CLI), as (cert, key)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail(
            "The openssl command is needed for the TLS certificate: apt-get install openssl"
        )
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Server:
    base: str
    tls: ssl.SSLContext  #: trusts the test's own certificate, and nothing else
    access_log: Path
    error_log: Path

    def requests(self) -> list[Hit]:
        """Every request answered so far."""
        hits = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            fields = line.split("\t")
            if len(fields) >= 6:  # a path may hold a tab; the other fields cannot
                status, method, micros, *path, agent, location = fields
                hits.append(Hit(status, method, int(micros), "\t".join(path), agent, location))
        return hits

    def error_tail(self, chars: int = 3000) -> str:
        return self.error_log.read_text(errors="replace")[-chars:]


@contextlib.contextmanager
def serve_over_tls(database_url: str, workdir: Path) -> Iterator[Server]:
    """The app under gunicorn on 127.0.0.1, production settings, TLS with its own certificate.

    Production sits behind a TLS-terminating proxy; here gunicorn terminates TLS itself,
    so there is no proxy whose X-Forwarded-* headers could be trusted (PROXY_FIX_HOPS=0).
    """
    cert, key = make_certificate(workdir)
    with redis_server() as redis_url:  # production's 4 workers share the login throttling
        yield from _serve(database_url, workdir, cert, key, redis_url)


def _serve(database_url: str, workdir: Path, cert: Path, key: Path, redis_url: str):
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LAHTI_POOL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "BASE_URL": base,
        "PROXY_FIX_HOPS": "0",
        "RATELIMIT_STORAGE_URI": redis_url,
        # Nothing is sent during a request (the outbox is), but keep any SMTP on loopback.
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(free_port()),
    }
    access_log, error_log = workdir / "access.log", workdir / "gunicorn.log"
    with error_log.open("wb") as errors:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "--certfile",
                str(cert),
                "--keyfile",
                str(key),
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                ACCESS_LOG_FORMAT,
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
    server = Server(base, ssl.create_default_context(cafile=str(cert)), access_log, error_log)
    try:
        _wait_until_serving(server, process)
        yield server
    finally:
        stop_process_group(process)


def _wait_until_serving(server: Server, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            urllib.request.urlopen(server.base + "/login", timeout=2, context=server.tls).close()  # noqa: S310
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"gunicorn did not start:\n{server.error_tail()}")


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM the process and its children (started with start_new_session), then SIGKILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


@dataclass
class Login:
    cookie: http.cookiejar.Cookie  #: the session cookie the app set
    landing: str  #: the path the login redirected to
    headers: dict[str, str]  #: of the landing page


def log_in(server: Server, email: str, password: str) -> Login:
    """Log in as a browser does: GET the form, POST it with its CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=server.tls)
    )
    with opener.open(server.base + "/login", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    # Over HTTPS Flask-WTF also wants a same-origin Referer, as every browser sends.
    request = urllib.request.Request(  # noqa: S310 - https, the test's own server
        server.base + "/login", form.encode(), headers={"Referer": server.base + "/login"}
    )
    with opener.open(request, timeout=30) as response:
        landing = urllib.parse.urlsplit(response.geturl()).path
        headers = dict(response.headers.items())
    cookie = next(c for c in jar if c.name == "session")
    return Login(cookie, landing, headers)


def write_cookie_file(path: Path, cookie: http.cookiejar.Cookie) -> None:
    """The cookie in wapiti's JSON cookie jar (wapitiCore/net/jsoncookie.py): host, path, name."""
    attributes = {
        "value": cookie.value,
        "expires": cookie.expires,
        "secure": cookie.secure,
        "port": None,
        "version": cookie.version or 0,
    }
    path.write_text(json.dumps({"127.0.0.1": {cookie.path: {cookie.name: attributes}}}))


class EndpointSink:
    """wapiti's out-of-band endpoint, on loopback: answers its queries, records every hit.

    The XXE payloads ask the target to fetch ``<endpoint>dtd/…``; wapiti then asks
    ``<endpoint>get_xxe.php`` whether anything came. Any other path here was fetched by
    the app, i.e. the app followed a URL an attacker supplied.
    """

    def __init__(self) -> None:
        self.hits: list[str] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                sink.hits.append(f"{self.command} {self.path}")
                body = b"{}"  # "nobody called": wapiti's endpoint answers JSON
                self.send_response(200 if self.path.startswith("/get_") else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_HEAD = _answer

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "EndpointSink":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def fetched_by_the_app(self) -> list[str]:
        return [hit for hit in self.hits if not hit.split(" ", 1)[1].startswith("/get_")]


def wapiti_interpreter() -> str:
    """The Python that runs Debian's wapiti (its ``#!`` line); fails loudly if it is missing."""
    wapiti = shutil.which("wapiti")
    if wapiti is None:
        pytest.fail(
            "wapiti is not installed; the security scan needs Debian's package "
            "(apt-get install wapiti, which scripts/install-system-deps.sh does)."
        )
    first_line = Path(wapiti).read_text(errors="replace").splitlines()[0]
    if not first_line.startswith("#!"):
        pytest.fail(f"{wapiti} is not the Python script Debian's wapiti package installs")
    return first_line[2:].strip().split()[0]


def report_findings(report: dict, is_false_positive) -> list[str]:
    """The vulnerabilities and anomalies of a wapiti JSON report, but the false positives."""
    lines = []
    for section in ("vulnerabilities", "anomalies"):
        for category, findings in report.get(section, {}).items():
            for finding in findings:
                if is_false_positive(category, finding):
                    continue
                lines.append(
                    f"[{section}] {category}: {finding['method']} {finding['path']} "
                    f"parameter={finding['parameter']!r}: {finding['info']}\n"
                    f"    {finding.get('curl_command', '')[:400]}"
                )
    return lines


def crawled_resources(session_dir: Path) -> list[tuple[str, str, int]]:
    """What wapiti's crawler fetched, from its session database: (method, URL, status)."""
    (database,) = session_dir.glob("*.db")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute(
            "SELECT method, path, http_status FROM paths WHERE evil = 0"
        ).fetchall()


def attacked_resources(session_dir: Path) -> int:
    """How many crawled URLs and forms at least one attack module went through."""
    (database,) = session_dir.glob("*.db")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute("SELECT COUNT(DISTINCT path_id) FROM attack_log").fetchone()[0]
