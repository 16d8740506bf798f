"""The pages fixed for issue 16 (outbox, log of use, capacity, the reports landing) pass
axe in Finnish and Swedish; the screenshots go to $SCREENSHOT_DIR when it is set."""

import os
from datetime import timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from tests_support import PASSWORD

from lahti_pool.core import audit
from lahti_pool.core.mailer import queue_mail
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailStatus
from lahti_pool.extensions import db

SHOTS = os.environ.get("SCREENSHOT_DIR")


def _shot(visitor, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        visitor.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_the_administrators_fixed_pages_in_finnish_and_swedish(
    visitor, admin, staff, supervisor, school_year
):
    for i in range(3):
        m = queue_mail(staff, "slot_booked", "requests/request_received", _l("Booked"), link="x")
        db.session.flush()
        m.created_at = m.next_attempt_at = utcnow() - timedelta(hours=2, minutes=i)
        if i == 0:
            m.status, m.attempts, m.last_error = MailStatus.DEAD, 8, "550 5.1.1 no such user"
    audit.record(admin, "user.roles_changed", staff, old=["staff"], new=["staff", "admin"])
    audit.record(admin, "budget.set", None, fiscal_year=2026, new_amount_cents=4_000_000)
    for locale in ("fi", "sv"):
        admin.locale = locale
        db.session.commit()
        visitor.login(admin.email, PASSWORD)
        assert "/admin/mail" in visitor.page.content()  # the stalled-mail warning
        _shot(visitor, f"issue16-admin-landing-warning-{locale}")
        for path, name in (
            ("/admin/mail", "outbox"),
            ("/admin/audit", "log-of-use"),
            ("/admin/matching/capacity", "capacity"),
        ):
            visitor.goto(path)
            _shot(visitor, f"issue16-{name}-{locale}")
        visitor.page.context.clear_cookies()  # signed out, whatever the language


def test_the_reports_landing_page(visitor, reports_user):
    for locale in ("fi", "sv"):
        reports_user.locale = locale
        db.session.commit()
        visitor.login(reports_user.email, PASSWORD)
        assert visitor.page.url.endswith("/reports")
        _shot(visitor, f"issue16-reports-landing-{locale}")
        visitor.page.context.clear_cookies()  # signed out, whatever the language
