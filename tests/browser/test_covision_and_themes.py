"""A covision circle in the browser (start, plan meetings, keep the attendance) and a theme
passed upward (draft, every member confirms, the development services read it); every
page passes axe."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lahti_pool.circles.models import CircleMeeting, CovisionCircle, MeetingState
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.models import Venue
from lahti_pool.requests.services import GroupRequestInput, submit_group_request
from lahti_pool.sessions import processes
from tests.tests_support import PASSWORD

THEME = "Päiväkotien aukioloajat eivät vastaa vuorotyötä tekevien vanhempien tarpeita."


@pytest.fixture
def members(make_user):
    return [
        make_user(name="Anna Aalto", email="anna@lahti.fi"),
        make_user(name="Bertta Berg", email="bertta@lahti.fi"),
        make_user(name="Cecilia Carlsson", email="cecilia@lahti.fi"),
    ]


@pytest.fixture
def closed_group(admin, members, supervisor, school_year, today):
    sup_request = submit_group_request(
        members[0],
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=2,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Sivistysjohtajat",
            member_emails=tuple(m.email for m in members[1:]),
        ),
        today,
    )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    process = matching.accept_assignment(admin, assignment, today).process
    processes.close_process(supervisor.user, process, datetime.now(UTC))
    db.session.add(Venue(name="Kolgan kartano", address="Kolga 1"))
    db.session.commit()
    return process


def _click(visitor, role: str, name: str) -> None:
    visitor.page.get_by_role(role, name=name).click()
    visitor.page.wait_for_load_state()
    visitor.check()


def test_members_start_a_circle_plan_its_meetings_and_the_host_keeps_attendance(
    visitor, closed_group, members, today
):
    page = visitor.page
    visitor.login(members[0].email, PASSWORD)
    visitor.goto(f"/processes/{closed_group.id}")
    _click(visitor, "link", "Go on as a covision circle")
    page.get_by_label("Name of the circle").fill("Sivistysjohtajien kovisio")
    _click(visitor, "button", "Start the circle")
    assert "the other members are invited" in page.content()
    visitor.logout()

    visitor.login(members[1].email, PASSWORD)
    _click(visitor, "link", "Covision circles")
    _click(visitor, "link", "Sivistysjohtajien kovisio")
    _click(visitor, "button", "Join the circle")
    _click(visitor, "link", "Plan meetings")
    page.get_by_label("First meeting").fill((today + timedelta(days=10)).isoformat())
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("Number of meetings").fill("3")
    page.get_by_label("Venue").select_option(label="Kolgan kartano")
    _click(visitor, "button", "Plan the meetings")
    assert "3 meetings planned" in page.content()
    table = page.get_by_role("table").inner_text()
    # Cecilia has not joined: the two members take turns, the first starting
    assert table.count("Anna Aalto") == 2 and table.count("Bertta Berg") == 1
    visitor.logout()

    first = db.session.scalar(select(CircleMeeting).order_by(CircleMeeting.starts_at))
    first.starts_at = datetime.now(UTC) - timedelta(minutes=30)  # it has begun
    db.session.commit()
    visitor.login(members[0].email, PASSWORD)
    visitor.goto(f"/circles/meetings/{first.id}")
    assert "How the host leads the meeting" in page.content()
    page.get_by_label("Topic", exact=True).fill("Aukioloajat")
    _click(visitor, "button", "Save the topic")
    page.get_by_label("Anna Aalto").check()
    page.get_by_label("Bertta Berg").check()
    _click(visitor, "button", "Save the attendance")
    assert "The attendance is kept." in page.content()
    db.session.expire_all()
    meeting = db.session.get(CircleMeeting, first.id)
    assert meeting.state == MeetingState.HELD and meeting.topic == "Aukioloajat"
    assert {a.user.name for a in meeting.attendance if a.attended} == {"Anna Aalto", "Bertta Berg"}
    circle = db.session.scalar(select(CovisionCircle))
    assert circle.name == "Sivistysjohtajien kovisio"
    # the ways back to a supervisor, and leaving, pass axe too
    visitor.goto(f"/circles/{circle.id}")
    _click(visitor, "link", "Ask for a supervisor again")
    assert page.get_by_label("Preferred supervisor").is_visible()
    visitor.goto(f"/circles/renew/{closed_group.id}")
    visitor.goto(f"/circles/{circle.id}/leave")


def test_a_theme_is_drafted_without_names_confirmed_by_all_and_read_by_reports(
    visitor, closed_group, members, reports_user
):
    page = visitor.page
    visitor.login(members[0].email, PASSWORD)
    visitor.goto(f"/processes/{closed_group.id}")
    _click(visitor, "link", "Raise a theme with management")
    page.get_by_label("The theme for management").fill("Bertta ehdotti: " + THEME)
    _click(visitor, "button", "Draft the theme")  # refused: it names a member
    assert "The text names a member of the group." in page.content()
    page.get_by_label("The theme for management").fill(THEME)
    _click(visitor, "button", "Draft the theme")
    theme_url = page.url
    visitor.logout()

    for member, said in zip(
        members[1:], ["You confirmed the theme.", "Everybody has confirmed"], strict=True
    ):
        visitor.login(member.email, PASSWORD)
        visitor.page.goto(theme_url)
        visitor.check()
        _click(visitor, "button", "Confirm the theme")
        assert said in page.content()
        visitor.logout()

    visitor.login(reports_user.email, PASSWORD)
    _click(visitor, "link", "Themes from groups")
    content = page.content()
    assert THEME in content and "A supervision group" in content
    assert not any(m.name in content for m in members)
