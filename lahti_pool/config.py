"""Configuration read from the environment.

Every setting has a safe development default, except that production mode
(``LAHTI_POOL_ENV=production``) refuses to start without a real SECRET_KEY.
"""

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production below


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


#: limit storages every worker process keeps for itself (flask-limiter / limits schemes)
PER_PROCESS_STORAGES = ("memory://",)


def check_throttling_storage(env_name: str, storage_uri: str, workers: int) -> None:
    """Production with several workers needs a shared store for login throttling.

    With per-process storage each worker counts for itself: four workers let an attacker
    try four times the limit and forgot-password send four times the mail.
    """
    if env_name == "production" and workers > 1 and storage_uri.startswith(PER_PROCESS_STORAGES):
        raise ConfigError(
            f"LAHTI_POOL_ENV=production with {workers} workers needs RATELIMIT_STORAGE_URI "
            "set to a store the workers share, e.g. redis://127.0.0.1:6379/0 (Debian's "
            "redis-server): with the per-process memory:// each worker throttles logins "
            "on its own."
        )


class Config:
    ENV_NAME = os.environ.get("LAHTI_POOL_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lahti_pool.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "lahti-pool@localhost")
    #: links in e-mail and calendar addresses; empty outside production: the address the
    #: app is served on (core/mailer.py base_url)
    BASE_URL = os.environ.get("BASE_URL", "")

    #: where accessibility feedback goes (the statement must name a channel)
    ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT", "saavutettavuus@lahti.fi")
    #: extra whole school years pre-question answers are kept after the request's year
    ANSWER_RETENTION_YEARS = int(os.environ.get("ANSWER_RETENTION_YEARS", "0"))

    LANGUAGES = ("fi", "sv", "en")  # Swedish as written in Finland: core/i18n.py
    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "fi")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Europe/Helsinki")

    BOOTSTRAP_SERVE_LOCAL = True  # an intranet loads nothing from a CDN

    # Logins: throttled per address and per account; idle and absolute timeouts.
    #: one worker (development) may keep the counts in memory; several need Redis,
    #: e.g. redis://127.0.0.1:6379/0 (check_throttling_storage refuses otherwise)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    #: when Redis is down, each worker throttles on its own instead of failing the login
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    #: reverse proxies in front of the app; their X-Forwarded-* headers are trusted so
    #: that throttling and the log of use see the person's address, not the proxy's
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    LOGIN_LIMIT_PER_ADDRESS = "20 per 5 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 5 minutes"
    #: after an administrator's change of a user's e-mail address is confirmed, password
    #: links wait this long while the old address can stop it (accounts/email_changes.py)
    EMAIL_CHANGE_HOLD_DAYS = int(os.environ.get("EMAIL_CHANGE_HOLD_DAYS", "7"))
    IDLE_TIMEOUT_MINUTES = 30
    ABSOLUTE_TIMEOUT_HOURS = 10

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Domain defaults; DOMAIN.md. A school year row may override the quota.
    DEFAULT_QUOTA = 10
    GROUP_MIN_MEMBERS = 3
    GROUP_MAX_MEMBERS = 12
    #: a Lahti-fallback group offer still open after this many days expires (daily-jobs)
    GROUP_OFFER_DAYS = 14
    #: nudges (lahti_pool/nudges): at most NUDGE_LIMIT of them to one person in any
    #: NUDGE_LIMIT_DAYS days, all kinds together; the same nudge never twice
    NUDGE_LIMIT = 2
    NUDGE_LIMIT_DAYS = 7
    #: the start-of-year message goes out during the first days of a school year
    YEAR_START_NUDGE_DAYS = 30
    #: a unit is listed as low uptake when fewer than this share (%) of its active staff
    #: have used or asked for a session this school year; units smaller than
    #: LOW_UPTAKE_MIN_STAFF are not listed
    LOW_UPTAKE_PERCENT = 20
    LOW_UPTAKE_MIN_STAFF = 5
    #: where a matching run asked for on the queue page is computed: "thread" (in the web
    #: process, outside the request), "worker" (only `flask pool matching-worker`), "inline"
    #: (in the request; the tests); see lahti_pool/matching/runs.py
    MATCHING_RUNNER = os.environ.get("MATCHING_RUNNER", "thread")
    #: a running matching job with no sign of life this long is marked failed
    MATCHING_JOB_STALE_MINUTES = 30
    #: feedback on a term's sessions is taken until this many days after the term ends;
    #: then the term's report opens and its figures never change (lahti_pool/feedback/rules.py)
    FEEDBACK_DAYS_AFTER_TERM = 31
    MAX_IMPORT_BYTES = 5 * 1024 * 1024
    #: the text of a sent e-mail is cleared this many days after sending (core/jobs.py)
    MAIL_BODY_RETENTION_DAYS = 30
    #: mail due this long and still not sent: the administrators' pages warn (mail/services.py)
    MAIL_STALL_MINUTES = int(os.environ.get("MAIL_STALL_MINUTES", "15"))
    GC_FREEZE = True  # lahti_pool/core/heap.py

    # Single sign-on with OpenID Connect (accounts/oidc.py; the README has the Entra ID
    # settings). Off while OIDC_ISSUER is empty: local passwords only.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    #: the button's label, e.g. "Lahti city account"; empty says "the city account"
    OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
    #: the claim that identifies a person for good: "oid" for Entra ID, "sub" elsewhere
    OIDC_SUBJECT_CLAIM = os.environ.get("OIDC_SUBJECT_CLAIM", "sub")
    #: comma-separated tenant ids (the "tid" claim) whose people may sign in; empty: any
    OIDC_ALLOWED_TENANTS = os.environ.get("OIDC_ALLOWED_TENANTS", "")
    #: how a first sign-in finds the existing account: "staff_number", "email" (a verified
    #: address) or "none" (an administrator links nobody: only HR-synced staff numbers)
    OIDC_LINK_BY = os.environ.get("OIDC_LINK_BY", "staff_number")
    OIDC_STAFF_NUMBER_CLAIM = os.environ.get("OIDC_STAFF_NUMBER_CLAIM", "employeeid")
    #: "<group id>=<role>,..." (roles: admin, reports, staff); empty: roles stay the pool's
    OIDC_GROUP_ROLES = os.environ.get("OIDC_GROUP_ROLES", "")
    OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
    #: seconds to wait for the provider before the sign-in page says it is unavailable
    OIDC_TIMEOUT_SECONDS = float(os.environ.get("OIDC_TIMEOUT_SECONDS", "5"))
    #: clock skew allowed when checking an ID token's times
    OIDC_LEEWAY_SECONDS = int(os.environ.get("OIDC_LEEWAY_SECONDS", "60"))

    # Provisioning from HR (organisation/sync.py, organisation/scim.py).
    #: the bearer token Entra ID provisioning sends to /scim/v2; empty: SCIM is off
    SCIM_TOKEN = os.environ.get("SCIM_TOKEN", "")
    #: a sync that would deactivate more than this share of active staff refuses
    #: without --force (a truncated export must not empty the pool)
    SYNC_MAX_DEACTIVATE_SHARE = float(os.environ.get("SYNC_MAX_DEACTIVATE_SHARE", "0.05"))

    def __init__(self) -> None:
        if self.ENV_NAME == "production":
            self.SESSION_COOKIE_SECURE = True
            self.REMEMBER_COOKIE_SECURE = True

    def validate(self) -> None:
        if self.ENV_NAME == "production" and (
            not self.SECRET_KEY or self.SECRET_KEY == DEV_SECRET_KEY or len(self.SECRET_KEY) < 32
        ):
            raise ConfigError(
                "LAHTI_POOL_ENV=production needs SECRET_KEY set to a random value of at "
                "least 32 characters, e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        # gunicorn reads WEB_CONCURRENCY for its worker count; gunicorn.conf.py checks the
        # count it actually starts, whichever way it was given.
        workers = os.environ.get("WEB_CONCURRENCY", "1")
        check_throttling_storage(
            self.ENV_NAME, self.RATELIMIT_STORAGE_URI, int(workers) if workers.isdigit() else 1
        )


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    MATCHING_RUNNER = "inline"
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    MAIL_SUPPRESS_SEND = True
    BASE_URL = "http://127.0.0.1:5000"  # the mail snapshots' links; tests of base_url clear it
    BABEL_DEFAULT_LOCALE = "en"  # tests that check Finnish ask for it
    WTF_CSRF_ENABLED = False  # the CSRF tests turn it back on
    GC_FREEZE = False  # hundreds of apps in one process; see lahti_pool/core/heap.py
    # Throttling stays on in tests, loose enough for the suite; the throttling test
    # sets the production limits.
    LOGIN_LIMIT_PER_ADDRESS = "10000 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "10000 per minute"
    SERVER_NAME = None
