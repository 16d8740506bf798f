"""Login throttling holds across four gunicorn workers sharing a real Redis (issue 22, item 2)."""

import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select
from tests_support import (
    Browser,
    free_port,
    gunicorn,
    redis_server,
    start_gunicorn,
    stop_gunicorn,
)
from tests_support import csrf_token as _token

from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db

pytestmark = pytest.mark.slow


@pytest.fixture
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture
def four_workers(app, database_url, redis_url):
    """The app under gunicorn with four workers and the production login limits."""
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789",
        "LAHTI_POOL_ENV": "development",  # plain HTTP: production cookies need TLS
        "RATELIMIT_STORAGE_URI": redis_url,
    }
    with gunicorn(env, workers=4) as base:
        yield base


def _post(base: str, path: str, data: dict) -> int:
    """One attempt from a fresh browser (a new connection, whichever worker takes it)."""
    browser = Browser(base)
    token = _token(browser.get(path))
    try:
        browser.post(path, {"csrf_token": token, **data})
    except urllib.error.HTTPError as error:
        return error.code
    return 200


def test_the_per_account_login_limit_holds_across_four_workers(four_workers, staff):
    answers = [
        _post(four_workers, "/login", {"email": staff.email, "password": "wrong guess 1234"})
        for _ in range(8)
    ]
    assert answers == [200] * 5 + [429] * 3  # "5 per 5 minutes", counted once for all workers


def test_forgot_password_queues_at_most_five_mails_across_four_workers(four_workers, staff):
    answers = [_post(four_workers, "/password/forgot", {"email": staff.email}) for _ in range(8)]
    assert answers.count(429) == 3
    count = db.session.scalar(select(func.count()).select_from(MailMessage))
    assert count == 5


def test_production_refuses_several_workers_with_per_process_throttling(database_url):
    process = start_gunicorn(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "gunicorn-test-secret-key-0123456789",
            "LAHTI_POOL_ENV": "production",
            "RATELIMIT_STORAGE_URI": "memory://",
        },
        free_port(),
    )
    try:
        assert process.wait(timeout=60) != 0
        assert "needs RATELIMIT_STORAGE_URI" in process.stderr.read().decode()
    finally:
        stop_gunicorn(process)
        process.stderr.close()


@pytest.mark.parametrize(("storage", "refused"), [("memory://", True), ("redis://h:6379/0", False)])
def test_the_app_refuses_production_with_several_workers_and_per_process_counts(
    monkeypatch, storage, refused
):
    from lahti_pool.config import Config, ConfigError

    class Production(Config):
        ENV_NAME = "production"
        SECRET_KEY = "x" * 40
        RATELIMIT_STORAGE_URI = storage

    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    if refused:
        with pytest.raises(ConfigError, match="needs RATELIMIT_STORAGE_URI"):
            Production().validate()
    else:
        Production().validate()
    monkeypatch.setenv("WEB_CONCURRENCY", "1")  # one worker may count in its own memory
    Production().validate()
