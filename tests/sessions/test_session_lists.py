"""The supervisor's workspace and the staff's sessions at scale: bounded lists, SQL counts."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from tests_support import queries_for

from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions import processes, queries, rules
from lahti_pool.sessions.models import (
    ApprovalStatus,
    ProcessMember,
    ProcessStatus,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)


@pytest.fixture
def make_process(ctx, supervisor, school_year):
    """A process of ``supervisor`` with the given clients: ``make_process([staff])``."""

    def factory(clients, year=None, status=ProcessStatus.ACTIVE, granted=10, sup=None):
        process = SupervisionProcess(
            supervisor_id=(sup or supervisor).id,
            school_year_id=(year or school_year).id,
            kind=RequestKind.INDIVIDUAL if len(clients) == 1 else RequestKind.GROUP,
            status=status,
            sessions_granted=granted,
            price_cents=9000,
            vat_percent=Decimal("25.5"),
            rule="ranking",
            grounds=[],
            members=[ProcessMember(user_id=c.id) for c in clients],
        )
        db.session.add(process)
        db.session.commit()
        return process

    return factory


def add_session(process, starts_at, status=SessionStatus.PLANNED, **kwargs):
    sup_session = SupervisionSession(
        process_id=process.id,
        starts_at=starts_at,
        on_date=rules.local_date(starts_at),
        duration_minutes=60,
        mode="video",
        status=status,
        **kwargs,
    )
    db.session.add(sup_session)
    db.session.commit()
    return sup_session


def at(days: float) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)


def rows(page: str, table_caption: str) -> int:
    """How many body rows the table whose caption starts with ``table_caption`` has."""
    table = page.split(table_caption, 1)[1].split("</table>", 1)[0]
    return len(re.findall(r"<tr>", table.split("<tbody>", 1)[1]))


# --- The workspace -------------------------------------------------------------------


def test_the_workspace_counts_planned_and_used_sessions_in_sql(
    client, supervisor, staff, make_process
):
    process = make_process([staff])
    add_session(process, at(-20), SessionStatus.HELD)
    add_session(process, at(-13), SessionStatus.NO_SHOW)
    add_session(process, at(-6), SessionStatus.CANCELLED)
    add_session(process, at(5))
    add_session(process, at(12), is_covision=True)  # covision counts for nobody
    empty = make_process([staff])

    counts = queries.session_counts([process, empty])

    assert (counts[process.id].planned, counts[process.id].used) == (1, 2)
    assert (counts[empty.id].planned, counts[empty.id].used) == (0, 0)
    assert counts[process.id] == processes.counts(process)  # the same as from the sessions
    client.login(supervisor.user)
    page = client.get("/workspace").text
    assert "<td>10</td><td>1</td><td>2</td>" in page
    assert "Sanna Staff" in page


def test_the_workspace_shows_this_school_years_processes_and_older_ones_on_request(
    client, supervisor, staff, other_staff, make_process, school_year
):
    older = type(school_year)(
        starts_on=school_year.starts_on.replace(year=school_year.starts_on.year - 1),
        ends_on=school_year.ends_on.replace(year=school_year.ends_on.year - 1),
        quota=10,
    )
    db.session.add(older)
    db.session.commit()
    make_process([staff])
    make_process([other_staff], year=older, status=ProcessStatus.CLOSED)
    client.login(supervisor.user)

    page = client.get("/workspace").text
    assert "Sanna Staff" in page and "Olli Other" not in page
    assert f"1 process in the school year {school_year.label}" in page
    assert f'<option selected value="{school_year.id}">{school_year.label}</option>' in page
    assert f'<option value="{older.id}">{older.label}</option>' in page

    page = client.get(f"/workspace?year={older.id}").text
    assert "Olli Other" in page and "Sanna Staff" not in page
    assert "Closed" in page

    page = client.get("/workspace?year=nonsense").text  # falls back to this year
    assert "Sanna Staff" in page


def test_a_supervisor_without_processes_this_year_is_told_so(client, supervisor, school_year):
    client.login(supervisor.user)
    page = client.get("/workspace").text
    assert f"You have no processes in the school year {school_year.label}." in page


def test_the_workspace_pages_processes_fifty_at_a_time(client, supervisor, staff, make_process):
    for _ in range(51):
        make_process([staff])
    client.login(supervisor.user)

    first = client.get("/workspace").text
    second = client.get("/workspace?page=2").text

    assert rows(first, "51 processes in the school year") == 50
    assert rows(second, "51 processes in the school year") == 1
    assert 'aria-label="Pages"' in first and "page=2" in first


def test_coming_sessions_are_the_soonest_with_a_count_of_the_rest(
    client, supervisor, staff, make_process
):
    process = make_process([staff], granted=30)
    for day in range(queries.SHORT_LIST + 3):
        add_session(process, at(day + 1))

    _to_log, coming = queries.workspace_sessions(supervisor.user, datetime.now(UTC))

    assert len(coming.items) == queries.SHORT_LIST and coming.more == 3
    assert coming.items == sorted(coming.items, key=lambda s: s.starts_at)
    assert coming.items[0].starts_at == at(1)
    client.login(supervisor.user)
    assert "3 more coming sessions are on the process pages." in client.get("/workspace").text


def test_sessions_to_log_are_the_oldest_with_a_count_of_the_rest(
    client, supervisor, staff, make_process
):
    process = make_process([staff], granted=30)
    for day in range(queries.SHORT_LIST + 1):
        add_session(process, at(-day - 1))
    returned = add_session(process, at(-40), SessionStatus.HELD, approval=ApprovalStatus.RETURNED)
    add_session(process, at(-50), SessionStatus.HELD, approval=ApprovalStatus.PENDING)

    to_log, _coming = queries.workspace_sessions(supervisor.user, datetime.now(UTC))

    assert to_log.total == queries.SHORT_LIST + 2 and to_log.more == 2
    assert to_log.items[0].id == returned.id  # the oldest first
    client.login(supervisor.user)
    page = client.get("/workspace").text
    assert "2 more sessions to log: log the oldest first." in page
    assert f"/sessions/{returned.id}/log" in page


def test_the_workspace_needs_the_same_queries_for_ten_times_the_data(
    client, supervisor, staff, other_staff, make_process
):
    def grow(n):
        for _ in range(n):
            process = make_process([staff, other_staff], granted=30)
            add_session(process, at(-3), SessionStatus.HELD)
            add_session(process, at(-2))  # to log
            add_session(process, at(2))  # coming

    grow(2)
    client.login(supervisor.user)
    few = queries_for(client, "/workspace")
    grow(20)
    assert queries_for(client, "/workspace") == few


# --- Staff: my sessions --------------------------------------------------------------


def test_my_past_sessions_are_paged_latest_first(
    client, staff, supervisor, make_supervisor, make_process
):
    other = make_supervisor(name="Ulla Other")
    process = make_process([staff], granted=60)
    for day in range(50):
        add_session(process, at(-day - 1), SessionStatus.HELD)
    latest_elsewhere = add_session(make_process([staff], sup=other), at(-0.5), SessionStatus.HELD)
    coming = add_session(process, at(3))
    client.login(staff)

    first = client.get("/my-sessions").text
    second = client.get("/my-sessions?page=2").text

    assert rows(first, "Past sessions, the latest first") == 50
    assert rows(second, "Past sessions, the latest first") == 1
    past_rows = first.split("Past sessions, the latest first", 1)[1]
    assert past_rows.index("Ulla Other") < past_rows.index("Seppo Supervisor")
    assert (
        f"/my-sessions/{coming.id}/cancel" in first and f"/my-sessions/{coming.id}/cancel" in second
    )
    assert f"/processes/{latest_elsewhere.process_id}" in first
    assert "coming=1" in first  # the past pager keeps the coming list's page


def test_my_sessions_two_pagers_are_told_apart(client, staff, supervisor, make_process):
    """Two lists, two pagers: each navigation landmark names its list (a screen reader
    lists landmarks by name; two called "Pages" cannot be told apart)."""
    process = make_process([staff], granted=110)
    for day in range(51):
        add_session(process, at(-day - 1), SessionStatus.HELD)
        add_session(process, at(day + 1))
    client.login(staff)

    page = client.get("/my-sessions").text

    labels = re.findall(r'<nav aria-label="([^"]+)">\s*<ul class="pagination">', page)
    assert labels == ["Pages of coming sessions", "Pages of past sessions"]


def test_my_sessions_need_the_same_queries_for_five_years_of_history(
    client, staff, supervisor, make_supervisor, make_process
):
    def grow(n):
        for _ in range(n):
            process = make_process([staff], sup=make_supervisor())
            add_session(process, at(-30), SessionStatus.HELD)
            add_session(process, at(4))

    grow(2)
    client.login(staff)
    few = queries_for(client, "/my-sessions")
    grow(12)
    assert queries_for(client, "/my-sessions") == few
