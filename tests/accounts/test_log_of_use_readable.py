"""The log of use reads as sentences in the reader's language and time zone (issue 16, 11)."""

from datetime import UTC, datetime

from lahti_pool.accounts.models import Role
from lahti_pool.core import audit
from lahti_pool.extensions import db


def _log(actor, action, obj=None, at=None, **details):
    event = audit.record(actor, action, obj, **details)
    if at is not None:
        event.at = at
    db.session.commit()
    return event


def test_the_log_shows_words_names_labelled_details_and_helsinki_time(
    client, admin, staff, supervisor
):
    winter = datetime(2026, 12, 3, 10, 5, 7, tzinfo=UTC)  # 12.05.07 in Helsinki (UTC+2)
    _log(admin, "user.roles_changed", staff, at=winter, old=["staff"], new=["staff", "admin"])
    _log(staff, "request.submitted", None, kind="individual", members=1)
    _log(admin, "budget.set", None, fiscal_year=2026, new_amount_cents=4_000_000)
    _log(admin, "slot.offered", None, user_id=staff.id, reason="Kävijä äänesti")
    _log(admin, "process.goals_changed", None, goals="GOAL-CANARY", answers="ANSWER-CANARY")
    for locale, texts in {
        "fi": ["Roolit muutettu", "3.12.2026 12.05.07", "Budjetti asetettu", "40 000,00 €"],
        "sv": ["Roller ändrade", "3 dec. 2026 12.05.07", "Budget fastställd", "40 000,00 €"],
        "en": ["Roles changed", "Dec 3, 2026, 12:05:07 PM", "Budget set", "€40,000.00"],
    }.items():
        admin.locale = locale
        db.session.commit()
        client.login(admin)
        page = client.get("/admin/audit").get_data(as_text=True)
        body = page[page.index("<tbody>") : page.index("</tbody>")]
        for text in texts:
            assert text in body.replace("\u202f", " ").replace("\xa0", " "), (locale, text)
        assert staff.name in body  # the object and the person offered, by name
        assert "User #" not in body and "user.roles_changed" not in body
        assert "\\u00e4" not in body and "Kävijä äänesti" in body
        assert "{" not in body  # no JSON
        assert "GOAL-CANARY" not in page and "ANSWER-CANARY" not in page
        assert "10:05:07" not in body and "10.05.07" not in body  # not UTC


def test_the_log_searches_by_action_name_and_by_local_days(client, admin, staff):
    # 23.30 UTC on 2 December is already 3 December in Helsinki
    _log(staff, "login.failed", None, at=datetime(2026, 12, 2, 23, 30, tzinfo=UTC))
    _log(admin, "budget.set", None, at=datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    client.login(admin)
    page = client.get("/admin/audit", query_string={"start": "2026-12-03"}).text
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "Failed sign-in" in body and "Budget set" not in body
    page = client.get("/admin/audit", query_string={"action": "budget.set"}).text
    assert '<option value="budget.set" selected>Budget set</option>' in page
    assert admin.has_role(Role.ADMIN)


def test_every_action_the_code_records_has_words():
    # A new audit.record(...) action without a label would show as a code on the log of use.
    import ast
    from pathlib import Path

    from lahti_pool.site.audit_text import ACTION_LABELS

    actions = set()
    for path in (Path(__file__).resolve().parents[2] / "lahti_pool").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") in ("record", "record_now")
                and getattr(node.func.value, "id", "") == "audit"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                actions.add(node.args[1].value)
    assert len(actions) > 50
    assert actions <= set(ACTION_LABELS), sorted(actions - set(ACTION_LABELS))
