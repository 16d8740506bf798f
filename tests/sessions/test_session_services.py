"""Planning and logging sessions: quota, capacity, money, refusals, closing."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from lahti_pool.accounts.models import Role
from lahti_pool.budget.guard import BudgetExceeded
from lahti_pool.budget.models import Budget, SessionCost
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.errors import DomainError, NotPermitted
from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.models import QuotaAccount
from lahti_pool.requests.quota import account_for
from lahti_pool.requests.services import (
    GroupRequestInput,
    RequestInput,
    submit_group_request,
    submit_individual_request,
)
from lahti_pool.sessions import processes, rules, services
from lahti_pool.sessions.models import (
    ApprovalStatus,
    ProcessStatus,
    SessionStatus,
    SupervisionSession,
)
from lahti_pool.sessions.services import LogInput, SessionInput
from lahti_pool.supervisors.capacity import capacities
from lahti_pool.supervisors.models import Supervisor

S = SessionStatus


# --- Fixtures ------------------------------------------------------------------------


@pytest.fixture
def mid(school_year):
    """A day well inside the school year; sessions are placed around it."""
    return school_year.starts_on + timedelta(days=120)


@pytest.fixture
def at(mid):
    """The UTC start of a session ``days`` after ``mid`` at ``hour`` local time."""

    def factory(days=0, hour=10):
        return rules.local_to_utc(mid + timedelta(days=days), time(hour))

    return factory


@pytest.fixture
def plan(at):
    """Plan a session ``days`` after mid as ``actor`` (the process's supervisor by default)."""

    def factory(process, days=0, actor=None, now=None, reason="", **kwargs):
        starts = at(days, kwargs.pop("hour", 10))
        data = SessionInput(
            on_date=rules.local_date(starts),
            at=time(starts.astimezone(rules.LOCAL_TZ).hour),
            duration_minutes=kwargs.pop("duration", 60),
            mode=kwargs.pop("mode", "on_site"),
            **kwargs,
        )
        actor = actor or process.supervisor.user
        sup_session, _ = services.plan_session(
            actor, process, data, now or starts - timedelta(days=7), reason
        )
        db.session.commit()
        return sup_session

    return factory


def log(sup_session, outcome, attendees=(), now=None, actor=None):
    services.log_session(
        actor or sup_session.process.supervisor.user,
        sup_session,
        LogInput(outcome, sup_session.duration_minutes, frozenset(u.id for u in attendees)),
        now or sup_session.starts_at + timedelta(hours=2),
    )
    db.session.commit()


@pytest.fixture
def division2(ctx):
    div = Division(code="SIVI", name_fi="Sivistys", name_en="Education services")
    db.session.add(div)
    db.session.commit()
    return div


@pytest.fixture
def unit2(division2):
    u = Unit(code="LAS", name="Lasten talo", division=division2, area="Keskusta")
    db.session.add(u)
    db.session.commit()
    return u


@pytest.fixture
def accept(admin, school_year, today):
    def factory(sup_request):
        run = matching.run_matching(admin, school_year, Policy.RANKING, today)
        assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
        process = matching.accept_assignment(admin, assignment, today).process
        db.session.commit()
        return process

    return factory


@pytest.fixture
def individual_of(supervisor, accept, school_year, today):
    def factory(user, sessions=4):
        sup_request = submit_individual_request(
            user,
            RequestInput(
                school_year_id=school_year.id,
                sessions=sessions,
                modes=("on_site",),
                language="fi",
                wanted_from=today,
            ),
            today,
        )
        db.session.commit()
        return accept(sup_request)

    return factory


@pytest.fixture
def individual(individual_of, staff):
    return individual_of(staff)


@pytest.fixture
def members(make_user, unit2):
    """The organiser and one member in the first division, one member in the second."""
    return [
        make_user(name="Olga Organiser"),
        make_user(name="Minna Member"),
        make_user(name="Toni Toinen", unit_id=unit2.id),
    ]


@pytest.fixture
def group_of(members, supervisor, accept, school_year, today):
    def factory(sessions=3):
        sup_request = submit_group_request(
            members[0],
            GroupRequestInput(
                school_year_id=school_year.id,
                sessions=sessions,
                modes=("on_site",),
                language="fi",
                wanted_from=today,
                group_name="Harju team",
                member_emails=tuple(m.email for m in members[1:]),
            ),
            today,
        )
        db.session.commit()
        return accept(sup_request)

    return factory


@pytest.fixture
def group(group_of):
    return group_of()


def quota(user, year):
    db.session.expire_all()
    s = account_for(user.id, year).state()
    return (s.pending, s.reserved, s.used)


def load(supervisor, year):
    cap = capacities(year, [supervisor.id])[supervisor.id]
    return cap.sessions_granted, cap.sessions_used


def costs(sup_session):
    db.session.expire_all()
    rows = db.session.scalars(select(SessionCost).where(SessionCost.session_id == sup_session.id))
    return {c.division_id: c.amount_cents for c in rows}


def snapshot(process, people):
    """Everything a refused action must leave as it was."""
    db.session.expire_all()
    rows = db.session.execute(
        select(SupervisionSession.id, SupervisionSession.status, SupervisionSession.approval)
        .where(SupervisionSession.process_id == process.id)
        .order_by(SupervisionSession.id)
    ).all()
    accounts = db.session.execute(
        select(QuotaAccount.user_id, QuotaAccount.pending, QuotaAccount.reserved, QuotaAccount.used)
        .where(QuotaAccount.user_id.in_([p.id for p in people]))
        .order_by(QuotaAccount.user_id)
    ).all()
    sup = db.session.get(Supervisor, process.supervisor_id)
    return rows, accounts, load(sup, process.school_year), sup.active_processes


# --- Individual sessions -------------------------------------------------------------


def test_planning_reserves_a_session_of_the_clients_quota(individual, staff, school_year, plan):
    assert quota(staff, school_year) == (4, 0, 0)
    sup_session = plan(individual)
    assert quota(staff, school_year) == (3, 1, 0)
    assert sup_session.status == S.PLANNED
    assert sup_session.approval == ApprovalStatus.NOT_LOGGED
    assert sup_session.price_cents == individual.price_cents
    assert sup_session.on_date == rules.local_date(sup_session.starts_at)


@pytest.mark.parametrize("outcome", [S.HELD, S.NO_SHOW, S.LATE_CANCELLED])
def test_held_no_show_and_late_cancellation_use_the_session(
    individual, staff, supervisor, school_year, plan, outcome
):
    sup_session = plan(individual)
    log(sup_session, outcome)
    assert quota(staff, school_year) == (3, 0, 1)
    assert load(supervisor, school_year) == (4, 1)
    assert sup_session.approval == ApprovalStatus.PENDING
    assert sup_session.logged_at is not None
    assert sup_session.ical_sequence == 1


@pytest.mark.parametrize("outcome", [S.CANCELLED, S.CANCELLED_BY_SUPERVISOR])
def test_timely_and_supervisor_cancellation_give_the_session_back_to_the_process(
    individual, staff, supervisor, school_year, plan, outcome
):
    sup_session = plan(individual)
    log(sup_session, outcome, now=sup_session.starts_at - timedelta(days=2))
    assert quota(staff, school_year) == (4, 0, 0)
    assert load(supervisor, school_year) == (4, 0)
    assert costs(sup_session) == {}
    # The session is back in the process: all four can still be planned.
    for day in range(1, 5):
        plan(individual, days=day)
    assert quota(staff, school_year) == (0, 4, 0)


# --- Group sessions ------------------------------------------------------------------


def test_a_held_group_session_uses_the_attendees_quota_and_frees_the_absent(
    group, members, school_year, plan, division, division2
):
    organiser, member, other = members
    sup_session = plan(group)
    assert [quota(m, school_year) for m in members] == [(2, 1, 0)] * 3
    # Planned: split by the members expected (two in the first division, one in the second).
    assert costs(sup_session) == {division.id: 10000, division2.id: 5000}
    log(sup_session, S.HELD, attendees=[organiser, other])
    assert quota(organiser, school_year) == (2, 0, 1)
    assert quota(other, school_year) == (2, 0, 1)
    assert quota(member, school_year) == (3, 0, 0)  # absent: back to the process
    assert {a.user_id: a.attended for a in sup_session.attendance} == {
        organiser.id: True,
        member.id: False,
        other.id: True,
    }
    # Held: split by those who attended (the Harju cost sharing).
    assert costs(sup_session) == {division.id: 7500, division2.id: 7500}


def test_a_group_no_show_uses_everyones_session(group, members, school_year, plan):
    sup_session = plan(group)
    log(sup_session, S.NO_SHOW)
    assert [quota(m, school_year) for m in members] == [(2, 0, 1)] * 3


@pytest.mark.parametrize("outcome", [S.CANCELLED, S.CANCELLED_BY_SUPERVISOR])
def test_a_cancelled_group_session_frees_everyones_session(
    group, members, school_year, plan, outcome
):
    sup_session = plan(group)
    log(sup_session, outcome, now=sup_session.starts_at - timedelta(days=3))
    assert [quota(m, school_year) for m in members] == [(3, 0, 0)] * 3


def test_covision_uses_no_quota_capacity_or_money(group, members, supervisor, school_year, plan):
    for day in range(3):  # all granted sessions planned; covision still fits
        plan(group, days=day)
    before = [quota(m, school_year) for m in members]
    covision = plan(group, days=5, is_covision=True, host_user_id=members[2].id)
    assert covision.price_cents == 0
    assert covision.host_user_id == members[2].id
    assert costs(covision) == {}
    log(covision, S.HELD, attendees=members)
    assert [quota(m, school_year) for m in members] == before
    assert load(supervisor, school_year) == (3, 0)
    assert costs(covision) == {}
    assert processes.counts(group).used == 0


def test_covision_is_only_for_groups(individual, plan):
    with pytest.raises(DomainError, match="Only a group"):
        plan(individual, is_covision=True)


def test_a_host_who_is_not_a_member_is_refused(group, plan, make_user):
    stranger = make_user(name="Not in the group")
    with pytest.raises(DomainError, match="host among the group's members"):
        plan(group, host_user_id=stranger.id)
    assert db.session.scalars(select(SupervisionSession)).all() == []


# --- Cancellation by the client ------------------------------------------------------


def test_a_client_cancelling_late_uses_the_session(individual, staff, school_year, plan):
    sup_session = plan(individual)
    late = services.cancel_by_client(
        staff, sup_session, sup_session.starts_at - timedelta(hours=23)
    )
    db.session.commit()
    assert late is True
    assert sup_session.status == S.LATE_CANCELLED
    assert quota(staff, school_year) == (3, 0, 1)


def test_a_client_cancelling_in_time_frees_the_session(individual, staff, school_year, plan):
    sup_session = plan(individual)
    late = services.cancel_by_client(
        staff, sup_session, sup_session.starts_at - timedelta(hours=25)
    )
    db.session.commit()
    assert late is False
    assert sup_session.status == S.CANCELLED
    assert sup_session.ical_sequence == 1
    assert quota(staff, school_year) == (4, 0, 0)


def test_the_cancellation_window_comes_from_the_configuration(
    ctx, individual, staff, school_year, plan, monkeypatch
):
    monkeypatch.setitem(ctx.config, "CANCELLATION_WINDOW_HOURS", 48)
    sup_session = plan(individual)
    assert services.cancel_by_client(
        staff, sup_session, sup_session.starts_at - timedelta(hours=30)
    )


def test_a_client_cannot_cancel_a_group_session_or_someone_elses(
    group, individual, members, staff, plan
):
    group_session = plan(group)
    with pytest.raises(DomainError, match="cancelled by the supervisor"):
        services.cancel_by_client(
            members[0], group_session, group_session.starts_at - timedelta(days=2)
        )
    own = plan(individual, days=1)
    with pytest.raises(NotPermitted):
        services.cancel_by_client(members[0], own, own.starts_at - timedelta(days=2))


def test_a_started_session_cannot_be_cancelled_by_the_client(individual, staff, plan):
    sup_session = plan(individual)
    with pytest.raises(DomainError, match="coming planned session"):
        services.cancel_by_client(staff, sup_session, sup_session.starts_at + timedelta(minutes=5))


# --- Refusals: nothing changes -------------------------------------------------------


def refused(process, people, action, match):
    before = snapshot(process, people)
    with pytest.raises(DomainError, match=match):
        action()
    db.session.rollback()
    assert snapshot(process, people) == before


@pytest.mark.parametrize("outcome", [S.HELD, S.NO_SHOW, S.LATE_CANCELLED])
def test_logging_a_future_session_as_used_is_refused(individual, staff, plan, outcome):
    sup_session = plan(individual)
    refused(
        individual,
        [staff],
        lambda: log(sup_session, outcome, now=sup_session.starts_at - timedelta(days=3)),
        "not started|timely, not late",
    )


def test_a_date_outside_the_school_year_is_refused(individual, staff, school_year):
    data = SessionInput(school_year.ends_on + timedelta(days=1), time(10), 60, "on_site")
    refused(
        individual,
        [staff],
        lambda: services.plan_session(
            individual.supervisor.user, individual, data, datetime.now(UTC)
        ),
        "school year",
    )


def test_planning_beyond_the_granted_sessions_is_refused(individual, staff, plan):
    for day in range(4):
        plan(individual, days=day)
    refused(individual, [staff], lambda: plan(individual, days=10), "All 4 granted sessions")


def test_a_used_session_counts_against_the_grant(individual_of, staff, plan):
    process = individual_of(staff, sessions=2)
    log(plan(process), S.HELD)
    plan(process, days=1)
    refused(process, [staff], lambda: plan(process, days=2), "All 2 granted sessions")


def test_a_client_out_of_quota_is_refused(group, members, school_year, plan):
    # Simulate a member whose granted sessions are gone (e.g. released elsewhere).
    db.session.execute(
        update(QuotaAccount)
        .where(QuotaAccount.user_id == members[1].id)
        .values(pending=0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    refused(group, members, lambda: plan(group), "Minna Member has no session left")


def test_the_same_process_and_time_twice_is_refused(individual, staff, plan):
    first = plan(individual)
    refused(individual, [staff], lambda: plan(individual), "already has a session at that time")
    # The unique constraint is the last line of defence.
    db.session.add(
        SupervisionSession(
            process_id=individual.id,
            starts_at=first.starts_at,
            on_date=first.on_date,
            duration_minutes=60,
            mode="video",
        )
    )
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        db.session.flush()
    db.session.rollback()


def test_another_supervisor_cannot_plan_or_log(individual, staff, make_supervisor, plan):
    other = make_supervisor(name="Ylva Other")
    refused(individual, [staff], lambda: plan(individual, actor=other.user), "Only the process")
    sup_session = plan(individual)
    refused(
        individual,
        [staff],
        lambda: log(sup_session, S.HELD, actor=other.user),
        "Only the process's supervisor",
    )


def test_an_approved_session_cannot_be_changed(individual, staff, plan):
    sup_session = plan(individual)
    log(sup_session, S.HELD)
    refused(
        individual,
        [staff],
        lambda: log(sup_session, S.CANCELLED_BY_SUPERVISOR),
        "waits for the administrator",
    )
    sup_session.approval = ApprovalStatus.APPROVED
    db.session.commit()
    refused(individual, [staff], lambda: log(sup_session, S.NO_SHOW), "approved")


def test_a_returned_session_can_be_logged_again(individual, staff, school_year, plan):
    sup_session = plan(individual)
    log(sup_session, S.HELD)
    sup_session.approval = ApprovalStatus.RETURNED
    db.session.commit()
    log(sup_session, S.CANCELLED_BY_SUPERVISOR)
    assert quota(staff, school_year) == (4, 0, 0)
    assert sup_session.approval == ApprovalStatus.PENDING
    assert sup_session.ical_sequence == 2


def test_a_held_group_session_without_attendees_is_refused(group, members, plan):
    sup_session = plan(group)
    refused(group, members, lambda: log(sup_session, S.HELD, attendees=[]), "Mark who attended")


# --- Closing -------------------------------------------------------------------------


def test_closing_releases_the_unplanned_sessions_and_the_capacity(
    individual, staff, supervisor, school_year, plan
):
    log(plan(individual), S.HELD)
    assert load(supervisor, school_year) == (4, 1)
    processes.close_process(supervisor.user, individual, datetime.now(UTC))
    db.session.commit()
    assert individual.status == ProcessStatus.CLOSED
    assert individual.closed_by_id == supervisor.user_id
    assert quota(staff, school_year) == (0, 0, 1)
    assert account_for(staff.id, school_year).state().available == 9
    assert load(supervisor, school_year) == (1, 1)
    assert db.session.get(Supervisor, supervisor.id).active_processes == 0


def test_closing_with_planned_sessions_is_refused(individual, staff, plan):
    plan(individual)
    refused(
        individual,
        [staff],
        lambda: processes.close_process(individual.supervisor.user, individual, datetime.now(UTC)),
        "Cancel the coming sessions",
    )


def test_the_client_may_close_an_individual_process(individual, staff, school_year):
    processes.close_process(staff, individual, datetime.now(UTC))
    db.session.commit()
    assert individual.status == ProcessStatus.CLOSED
    assert quota(staff, school_year) == (0, 0, 0)


def test_a_group_member_cannot_close_the_group(group, members):
    refused(
        group,
        members,
        lambda: processes.close_process(members[1], group, datetime.now(UTC)),
        "Only the supervisor",
    )


def test_a_process_ends_when_all_granted_sessions_are_used(
    individual_of, staff, supervisor, school_year, plan
):
    process = individual_of(staff, sessions=2)
    log(plan(process), S.HELD)
    assert process.status == ProcessStatus.ACTIVE
    log(plan(process, days=1), S.NO_SHOW)
    assert process.status == ProcessStatus.CLOSED
    assert quota(staff, school_year) == (0, 0, 2)
    assert load(supervisor, school_year) == (2, 2)
    assert db.session.get(Supervisor, supervisor.id).active_processes == 0


def test_an_ended_group_releases_the_sessions_of_absent_members(
    group_of, members, supervisor, school_year, plan
):
    process = group_of(sessions=1)
    log(plan(process), S.HELD, attendees=members[:2])
    assert process.status == ProcessStatus.CLOSED
    assert quota(members[0], school_year) == (0, 0, 1)
    assert quota(members[2], school_year) == (0, 0, 0)  # absent: the session is free again
    assert db.session.get(Supervisor, supervisor.id).active_processes == 0


# --- Money ---------------------------------------------------------------------------


def test_costs_follow_the_session(individual, division, plan):
    sup_session = plan(individual)
    assert costs(sup_session) == {division.id: individual.price_cents}
    log(sup_session, S.NO_SHOW)
    assert costs(sup_session) == {division.id: individual.price_cents}


def test_the_budget_guard_refuses_a_supervisors_planning_at_100_percent(
    individual, staff, admin, mid, plan
):
    price = individual.price_cents
    db.session.add(Budget(fiscal_year=mid.year, division_id=None, amount_cents=price * 3 // 2))
    db.session.commit()
    first = plan(individual)  # 66 % of the budget: fine
    assert first.status == S.PLANNED
    refused(
        individual,
        [staff],
        lambda: plan(individual, days=1, reason="ignored for a supervisor"),
        "administrator can accept it",
    )
    # The administrator may accept it with a reason; the override is audited.
    refused(individual, [staff], lambda: plan(individual, days=1, actor=admin), "administrator")
    plan(individual, days=1, actor=admin, reason="Year-end top-up agreed")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "budget.override")
        )
        == 1
    )


def test_the_budget_guard_warns_at_the_threshold(individual, mid, at):
    price = individual.price_cents
    db.session.add(Budget(fiscal_year=mid.year, division_id=None, amount_cents=price * 10 // 9))
    db.session.commit()
    starts = at(0)
    _, warnings = services.plan_session(
        individual.supervisor.user,
        individual,
        SessionInput(rules.local_date(starts), time(10), 60, "video"),
        starts - timedelta(days=1),
    )
    assert [(w.division_id, w.percent) for w in warnings] == [(None, 90)]


def test_budget_refusal_raises_budget_exceeded(individual, mid, at):
    db.session.add(Budget(fiscal_year=mid.year, division_id=None, amount_cents=1))
    db.session.commit()
    starts = at(0)
    with pytest.raises(BudgetExceeded):
        services.plan_session(
            individual.supervisor.user,
            individual,
            SessionInput(rules.local_date(starts), time(10), 60, "video"),
            starts - timedelta(days=1),
        )


# --- The supervision practice --------------------------------------------------------


def test_the_closing_evaluation_invites_the_clients_feedback(group, members, mid):
    services.set_practice(group.supervisor.user, group, mid, mid + timedelta(days=60))
    db.session.commit()
    notified = db.session.execute(
        select(Notification.user_id, Notification.kind, Notification.subject_id)
    ).all()
    for m in members:
        assert (m.id, NotificationKind.FEEDBACK_INVITATION, group.id) in notified
    assert group.midpoint_reviewed_on == mid


def test_only_the_supervisor_and_clients_write_the_goals(individual, staff, admin):
    services.set_goals(staff, individual, "  Less overtime  ")
    assert individual.goals == "Less overtime"
    with pytest.raises(NotPermitted):
        services.set_goals(admin, individual, "x")
    # The log of use says who changed the goals, never what they are.
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "process.goals_changed")
    )
    assert "overtime" not in str(event.details)


def test_admin_role_alone_does_not_make_a_supervisor(individual, make_user):
    other_admin = make_user(roles={Role.ADMIN})
    assert processes.can_plan(other_admin, individual)
    assert not processes.can_see_goals(other_admin, individual)
    assert not processes.can_close(other_admin, individual)


# --- One supervisor, one place at a time (issue 16, defect 1) --------------------------


def _booked_slot(supervisor, booker, starts_at):
    from lahti_pool.slots import services as slot_services
    from lahti_pool.slots.models import OnDutySlot

    slot = OnDutySlot(
        supervisor_id=supervisor.id,
        starts_at=starts_at,
        on_date=rules.local_date(starts_at),
        mode="video",
        duration_minutes=60,
    )
    db.session.add(slot)
    db.session.flush()
    slot_services.book_slot(booker, slot, {1: "a", 2: "b", 3: "c"}, starts_at - timedelta(days=7))
    db.session.commit()
    return slot


def test_planning_over_another_session_of_the_supervisor_is_refused_and_named(
    individual_of, staff, other_staff, plan
):
    first, second = individual_of(staff), individual_of(other_staff)
    plan(first, hour=10)

    with pytest.raises(DomainError) as refused:
        plan(second, hour=9, duration=90)  # 9.00–10.30 runs into 10.00–11.00

    assert refused.value.field == "at"
    assert "10.00–11.00" in refused.value.message
    assert f"individual session {first.reference}" in refused.value.message
    db.session.rollback()
    assert len(second.sessions) == 0
    plan(second, hour=11)  # straight after is fine
    assert len(second.sessions) == 1


def test_planning_over_a_booked_on_duty_slot_is_refused(
    individual, supervisor, other_staff, plan, at
):
    slot = _booked_slot(supervisor, other_staff, at(hour=13))

    with pytest.raises(DomainError, match="on-duty booking") as refused:
        plan(individual, hour=13)

    assert "13.00–14.00" in refused.value.message
    db.session.rollback()
    assert slot.session_id is not None
    assert individual.sessions == []


def test_covision_needs_no_supervisor_time(group_of, individual, plan):
    group = group_of()
    plan(individual, hour=10)
    plan(group, hour=10, is_covision=True)  # the supervisor is not there
    assert len(group.sessions) == 1


def test_an_absence_over_booked_time_is_refused_until_it_is_cancelled(
    client, individual, supervisor, other_staff, plan, at, mid
):
    from lahti_pool.slots.models import SupervisorAbsence

    sup_session = plan(individual, days=1, hour=9)
    slot = _booked_slot(supervisor, other_staff, at(days=2, hour=13))
    client.login(supervisor.user)
    form = {
        "absence-starts_on": (mid + timedelta(days=1)).isoformat(),
        "absence-ends_on": (mid + timedelta(days=3)).isoformat(),
    }
    with pytest.MonkeyPatch.context() as mp:  # the absence is in the future
        from lahti_pool.slots.views import manage_pages

        mp.setattr(manage_pages, "today", lambda: mid - timedelta(days=10))
        page = client.post(f"/slots/manage/{supervisor.id}/absences", data=form)
        assert page.status_code == 400
        assert "Move or cancel them first" in page.text
        assert f"9.00–10.00, individual session {individual.reference}" in page.text
        assert "13.00–14.00, on-duty booking" in page.text
        assert db.session.scalar(select(func.count()).select_from(SupervisorAbsence)) == 0

        services.log_session(
            supervisor.user, sup_session, LogInput(S.CANCELLED_BY_SUPERVISOR, 60), at(days=-3)
        )
        from lahti_pool.slots import services as slot_services

        slot_services.cancel_booking(supervisor.user, slot, at(days=-3))
        db.session.commit()
        assert client.post(f"/slots/manage/{supervisor.id}/absences", data=form).status_code == 302
    absence = db.session.scalar(select(SupervisorAbsence))
    assert (absence.starts_on, absence.ends_on) == (
        mid + timedelta(days=1),
        mid + timedelta(days=3),
    )


def test_an_absence_can_be_changed_and_removed(client, supervisor, individual, plan, mid, today):
    from lahti_pool.slots.models import SupervisorAbsence

    start = today + timedelta(days=30)
    absence = SupervisorAbsence(
        supervisor_id=supervisor.id, starts_on=start, ends_on=start + timedelta(days=2)
    )
    db.session.add(absence)
    db.session.commit()
    client.login(supervisor.user)
    assert (
        f"/slots/absences/{absence.id}/edit"
        in client.get(f"/slots/manage?supervisor={supervisor.id}").text
    )

    response = client.post(
        f"/slots/absences/{absence.id}/edit",
        data={"starts_on": start.isoformat(), "ends_on": (start + timedelta(days=5)).isoformat()},
    )

    assert response.status_code == 302
    db.session.refresh(absence)
    assert absence.ends_on == start + timedelta(days=5)
    assert client.post(f"/slots/absences/{absence.id}/remove").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SupervisorAbsence)) == 0


def test_a_slot_over_a_planned_session_cannot_be_booked(
    individual, supervisor, other_staff, plan, at
):
    from lahti_pool.slots.services import SlotUnavailable

    plan(individual, hour=13)
    with pytest.raises(SlotUnavailable, match="no longer free"):
        _booked_slot(supervisor, other_staff, at(hour=13))


# --- Rescheduling: the supervisor moves a planned session (issue 16) ------------------


def test_the_supervisor_moves_a_group_session_and_every_member_is_told(
    group_of, members, supervisor, plan, at, mid, school_year
):
    from lahti_pool.core.outbox import MailMessage
    from lahti_pool.sessions import rescheduling

    group = group_of()
    sup_session = plan(group, hour=10, duration=90)
    before = {m.id: account_for(m.id, school_year).state() for m in members}
    sequence = sup_session.ical_sequence

    rescheduling.move_session(
        supervisor.user, sup_session, mid + timedelta(days=1), time(13), at() - timedelta(days=7)
    )
    db.session.commit()

    assert sup_session.starts_at == at(days=1, hour=13)
    assert sup_session.on_date == mid + timedelta(days=1)
    assert sup_session.ical_sequence == sequence + 1
    assert {m.id: account_for(m.id, school_year).state() for m in members} == before
    changed = db.session.scalars(
        select(MailMessage).where(MailMessage.kind == "session_changed")
    ).all()
    assert {m.to_user_id for m in changed} == {m.id for m in members} | {supervisor.user_id}
    for mail in changed:
        assert f"UID:session-{sup_session.id}@" in mail.ics
        assert f"SEQUENCE:{sequence + 1}" in mail.ics
    moved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.moved"))
    assert moved.object_id == sup_session.id


def test_a_move_over_another_session_of_the_supervisor_is_refused(
    individual_of, staff, other_staff, supervisor, plan, at, mid
):
    from lahti_pool.sessions import rescheduling

    first, second = individual_of(staff), individual_of(other_staff)
    plan(first, hour=10)
    sup_session = plan(second, hour=12)

    with pytest.raises(DomainError, match="10.00–11.00"):
        rescheduling.move_session(
            supervisor.user, sup_session, mid, time(10, 30), at() - timedelta(days=7)
        )
    db.session.rollback()
    assert sup_session.starts_at == at(hour=12)


def test_only_the_supervisor_moves_a_coming_planned_session(
    individual, staff, supervisor, plan, at, mid
):
    from lahti_pool.core.errors import InvalidTransition
    from lahti_pool.sessions import rescheduling

    sup_session = plan(individual, hour=10)
    with pytest.raises(NotPermitted):
        rescheduling.move_session(staff, sup_session, mid, time(12), at() - timedelta(days=7))
    with pytest.raises(InvalidTransition):  # it has started
        rescheduling.move_session(
            supervisor.user, sup_session, mid, time(12), at() + timedelta(minutes=5)
        )


def test_the_move_page_moves_the_session(client, individual, supervisor, plan, today):
    from lahti_pool.sessions.rules import local_to_utc

    day = today + timedelta(days=10)
    starts = local_to_utc(day, time(9))
    data = SessionInput(on_date=day, at=time(9), duration_minutes=60, mode="video")
    sup_session, _ = services.plan_session(
        supervisor.user, individual, data, starts - timedelta(days=20)
    )
    db.session.commit()
    client.login(supervisor.user)
    detail = client.get(f"/processes/{individual.id}").text
    assert f"/sessions/{sup_session.id}/move" in detail

    response = client.post(
        f"/sessions/{sup_session.id}/move",
        data={"on_date": (day + timedelta(days=1)).isoformat(), "at": "14:00"},
    )

    assert response.status_code == 302
    assert sup_session.starts_at == local_to_utc(day + timedelta(days=1), time(14))


def test_every_member_sees_the_move_among_their_notifications(
    app, group_of, members, supervisor, plan, at, mid
):
    from lahti_pool.sessions import rescheduling

    group = group_of()
    sup_session = plan(group, hour=10, duration=90)
    rescheduling.move_session(supervisor.user, sup_session, mid, time(15), at() - timedelta(days=7))
    db.session.commit()

    for member in members:
        reader = app.test_client()
        reader.login(member)
        assert f"{supervisor.name} moved the session of" in reader.get("/notifications").text
