"""The accounts feature's daily jobs (registered with core/jobs.py)."""

from datetime import date, datetime

from lahti_pool.accounts.password_links import clear_expired_link_mails
from lahti_pool.core.jobs import daily_job


@daily_job(
    "password_link_mails_cleared",
    "Cleared the text of {n} password-link e-mails whose link has expired.",
)
def clear_expired_password_link_mails(today: date, now: datetime) -> int:
    return clear_expired_link_mails(now)
