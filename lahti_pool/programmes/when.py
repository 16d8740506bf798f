"""A module day's start as an aware datetime in the pool's time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_start(day) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day.on_date, day.starts_at, tzinfo=zone)
