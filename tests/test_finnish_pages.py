"""Finnish pages say everything in Finnish: the demo city's main pages, read as each role,
show no English word from the list of leaks once found, no ISO week codes, no stand-alone
month in the partitive and no clock with a colon (docs/glossary-fi.md)."""

import html
import re

import pytest
from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.budget.models import InvoiceStatement
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.quota import school_year_for
from lahti_pool.sessions.models import SupervisionProcess
from lahti_pool.slots.models import OnDutySlot
from lahti_pool.supervisors.models import Supervisor

#: English that reached Finnish pages once (issue 16), as whole words
LEAKS = [
    "matching proposal",
    "optimal",
    "greedy",
    "time_limit",
    "Active",
    "Cancel",
    "session",
    "sessions",
    "minutes",
    "Week",
    "gap",
    "proposed",
    "inactive",
    "slots published",
    "no supervisor free",
    "group offered",
    "on-duty slot booked",
]
MONTHS = "tammi|helmi|maalis|huhti|touko|kesä|heinä|elo|syys|loka|marras|joulu"


def _text(page: str) -> str:
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def _problems(text: str) -> list[str]:
    found = [w for w in LEAKS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    found += re.findall(r"\b\d{4}-W\d{2}\b", text)
    # "joulukuuta 2026" alone; "7. joulukuuta 2026" is a full date and right
    found += re.findall(rf"(?<!\d\. )\b(?:{MONTHS})kuuta \d{{4}}", text)
    found += re.findall(r"(?<![\d:])\b\d{1,2}:\d{2}\b(?!:)", text)
    return found


@pytest.fixture
def demo(ctx):
    result = ctx.test_cli_runner().invoke(args=["pool", "demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _read(client, user: User, paths: list[str]) -> dict[str, list[str]]:
    client.login(user)
    out = {}
    for path in paths:
        response = client.get(path, headers={"Accept-Language": "fi"})
        assert response.status_code == 200, (path, response.status_code)
        page = response.get_data(as_text=True)
        assert '<html lang="fi">' in page
        problems = _problems(_text(page))
        if problems:
            out[path] = problems
    return out


def test_staff_pages_are_finnish(client, demo, today):
    staff = _user("staff@demo.lahti.fi")
    own = db.session.scalars(
        select(SupervisionRequest.id).where(SupervisionRequest.requester_id == staff.id)
    ).all()
    paths = ["/dashboard", "/requests/new", "/slots/", "/my-sessions"]
    paths += [f"/requests/{i}" for i in own]
    booked = db.session.scalars(select(OnDutySlot.id).where(OnDutySlot.booked_by_id == staff.id))
    paths += [f"/slots/{i}/book" for i in booked]
    assert _read(client, staff, paths) == {}


def test_a_matched_request_says_so_in_finnish(client, demo, today):
    admin = _user("admin@demo.lahti.fi")
    matching.run_matching(admin, school_year_for(today), Policy.RANKING, today)
    db.session.commit()
    matched = db.session.scalars(
        select(SupervisionRequest).where(SupervisionRequest.status == "matched")
    ).first()
    assert matched is not None
    client.login(matched.requester)
    page = client.get(f"/requests/{matched.id}", headers={"Accept-Language": "fi"})
    text = _text(page.get_data(as_text=True))
    assert "kohdistuksen ehdottama" in text
    assert _problems(text) == []


def test_admin_pages_are_finnish(client, demo, today):
    admin = _user("admin@demo.lahti.fi")
    matching.run_matching(admin, school_year_for(today), Policy.RANKING, today)
    db.session.commit()
    paths = [
        "/admin/matching/",
        "/admin/matching/capacity",
        "/admin/approvals",
        "/admin/statements",
        "/budget",
        "/slots/utilisation",
    ]
    statement = db.session.scalar(select(InvoiceStatement.id).limit(1))
    if statement is not None:
        paths.append(f"/statements/{statement}")
    assert _read(client, admin, paths) == {}


def test_supervisor_pages_are_finnish(client, demo):
    supervisor = _user("supervisor@demo.lahti.fi")
    processes = db.session.scalars(
        select(SupervisionProcess.id)
        .join(Supervisor, Supervisor.id == SupervisionProcess.supervisor_id)
        .where(Supervisor.user_id == supervisor.id)
    ).all()
    assert processes, "the demo supervisor has processes"
    paths = ["/workspace", "/slots/manage", "/statements"]
    paths += [f"/processes/{i}" for i in processes]
    assert _read(client, supervisor, paths) == {}


def test_reports_pages_are_finnish(client, demo):
    reports = _user("reports@demo.lahti.fi")
    assert _read(client, reports, ["/reports/feedback", "/budget", "/slots/utilisation"]) == {}


def test_a_month_standing_alone_is_in_the_nominative(app):
    from lahti_pool.budget.views import month_name

    with app.test_request_context(headers={"Accept-Language": "fi"}):
        assert month_name(2026, 12) == "joulukuu"
        assert month_name(2026, 3, "LLL") == "maalis"


def test_clock_times_follow_each_readers_language(client, supervisor):
    """The template's clock filter must not be folded into the first reader's language."""
    client.login(supervisor.user)
    en = client.get("/slots/manage", headers={"Accept-Language": "en"}).get_data(as_text=True)
    fi = client.get("/slots/manage", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert "between 7:00\u202fAM and 7:00\u202fPM" in en
    assert "klo 7.00–19.00" in fi
