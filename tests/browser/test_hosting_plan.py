"""The plan of hosts in Chromium: the supervisor proposes a fair rotation, changes a row
and saves; every page checked by axe."""

from datetime import time, timedelta

from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.models import Division, Organisation, Unit, Venue
from lahti_pool.requests.services import GroupRequestInput, submit_group_request
from lahti_pool.sessions import rules, services
from lahti_pool.sessions.models import SupervisionSession
from lahti_pool.sessions.services import SessionInput


def _group_with_three_sessions(members, admin, school_year, today):
    sup_request = submit_group_request(
        members[0],
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=3,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Harju education officials",
            member_emails=tuple(m.email for m in members[1:]),
        ),
        today,
    )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    process = matching.accept_assignment(admin, assignment, today).process
    org = Organisation(name="Rae vald")
    division = Division(code="RAE", name_fi="Rae vald", name_en="Rae vald", organisation=org)
    unit = Unit(code="RAE1", name="Rae office", division=division, area="")
    db.session.add(unit)
    db.session.flush()
    members[2].unit_id = unit.id  # one member from a guest organisation
    now = utcnow()
    for i in range(3):
        data = SessionInput(rules.local_date(now) + timedelta(days=10 + i), time(13), 90, "on_site")
        services.plan_session(process.supervisor.user, process, data, now)
    db.session.add(Venue(name="Viskla nature centre", address="Viskla, Harju"))
    db.session.commit()
    return process


def test_the_supervisor_proposes_a_fair_plan_of_hosts_changes_a_row_and_saves(
    visitor, make_user, supervisor, admin, school_year, today
):
    members = [make_user(name=n) for n in ("Anna City", "Bert City", "Carla Rae")]
    process = _group_with_three_sessions(members, admin, school_year, today)
    page = visitor.page
    visitor.login(supervisor.user.email, PASSWORD)

    visitor.goto(f"/processes/{process.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="The plan of hosts").click()
    visitor.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Propose a fair rotation").click()
    visitor.check()
    assert "A fair rotation is proposed below" in page.content()
    sessions = sorted(
        db.session.scalars(
            select(SupervisionSession).where(SupervisionSession.process_id == process.id)
        ),
        key=lambda s: s.starts_at,
    )
    first = page.locator(f"#s{sessions[0].id}-host")
    proposed_first = int(first.input_value())
    assert proposed_first in process.client_ids
    # the guest organisation's member hosts one of the first two meetings
    proposed = [int(page.locator(f"#s{s.id}-host").input_value()) for s in sessions]
    assert members[2].id in proposed[:2]
    # the supervisor changes the last row: another host, at the nature centre
    page.locator(f"#s{sessions[2].id}-host").select_option(label="Bert City")
    page.locator(f"#s{sessions[2].id}-venue").select_option(label="Viskla nature centre")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the plan").click()
    visitor.check()
    assert "The plan of hosts is saved; 3 sessions changed." in page.content()

    db.session.expire_all()
    saved = [db.session.get(SupervisionSession, s.id) for s in sessions]
    assert [s.host_user_id for s in saved] == [*proposed[:2], members[1].id]
    assert saved[2].venue.name == "Viskla nature centre"

    # the administrator's venue pages pass axe too
    visitor.logout()
    visitor.login(admin.email, PASSWORD)
    visitor.goto("/admin/venues")
    visitor.goto(f"/admin/venues/{saved[2].venue_id}")
    visitor.goto("/admin/venues/new")
