"""gunicorn's configuration for Lahti Pool; gunicorn reads it from the working directory.

``gunicorn wsgi:app`` in /srv/lahti-pool runs with it: one sync worker per CPU core (see
README "City scale"), an access log whose token paths are redacted, and a refusal to
start production workers that would each throttle logins on their own.
"""

import os
import re

from gunicorn.glogging import Logger

from lahti_pool.config import ConfigError, check_throttling_storage

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The access log is off unless asked for (``--access-logfile -`` sends it to the journal);
# when on, it goes through RedactingLogger.

#: paths whose last part is a secret: a password link, an address change link, a nudge's
#: stop link, a private calendar feed. The access log keeps the route, never the token.
TOKEN_PATHS = re.compile(
    r"(?P<route>/password/link/|/email/change/|/nudges/stop/)[^/?\s\"]+"
    r"|(?P<feed>/calendar/)[^/?\s\"]+\.ics"
)


def redact(text: str) -> str:
    """``text`` with the token of every password, address-change, stop or calendar link
    replaced."""
    return TOKEN_PATHS.sub(
        lambda m: f"{m['route']}[redacted]" if m["route"] else f"{m['feed']}[redacted].ics", text
    )


class RedactingLogger(Logger):
    """gunicorn's logger with tokens taken out of the request line, path, query and referrer."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


logger_class = RedactingLogger


def on_starting(server) -> None:
    """Refuse production with several workers and per-process throttling counts."""
    try:
        check_throttling_storage(
            os.environ.get("LAHTI_POOL_ENV", "development"),
            os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
            server.cfg.workers,
        )
    except ConfigError as error:
        server.log.error("%s", error)
        raise SystemExit(3) from error
