"""The matching feature's daily jobs (registered with core/jobs.py)."""

from datetime import date, datetime

from flask import current_app

from lahti_pool.core.jobs import daily_job
from lahti_pool.matching import offers


@daily_job("group_offers_expired", "Expired {n} group offers left open too long.")
def expire_group_offers(today: date, now: datetime) -> int:
    return offers.expire_offers(now, current_app.config["GROUP_OFFER_DAYS"])
