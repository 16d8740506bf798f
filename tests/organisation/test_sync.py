"""``flask pool import-staff`` as a sync: starters, changes, leavers, dry run, share guard."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.job_groups import JobGroup, job_group_for
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions import rules, services
from lahti_pool.sessions.models import ProcessStatus, SessionStatus, SupervisionSession
from lahti_pool.sessions.services import LogInput, SessionInput

HEADER = "staff_number,email,name,job_title,unit_code\n"


@pytest.fixture
def run_sync(ctx, unit, tmp_path):
    def run(text: str, *options: str):
        path = tmp_path / "hr.csv"
        path.write_text(text, encoding="utf-8")
        return ctx.test_cli_runner().invoke(args=["pool", "import-staff", str(path), *options])

    return run


@pytest.fixture
def other_unit(division):
    division2 = Division(code="SIVI", name_fi="Sivistys", name_en="Education services")
    db.session.add(division2)
    db.session.flush()
    u = Unit(code="LAKS", name="Laksian koulu", division=division2)
    db.session.add(u)
    db.session.commit()
    return u


def users() -> dict[str, User]:
    return {u.staff_number or u.email: u for u in db.session.scalars(select(User))}


def test_job_groups_are_mapped_from_hr_titles():
    assert job_group_for("Luokanopettaja") == JobGroup.TEACHER
    assert job_group_for("Lehtori, matematiikka") == JobGroup.TEACHER
    assert job_group_for("Apulaisrehtori") == JobGroup.PRINCIPAL
    assert job_group_for("Koulunkäynninohjaaja") == JobGroup.SCHOOL_ASSISTANT
    assert job_group_for("Koulusihteeri") == JobGroup.SCHOOL_SECRETARY
    assert job_group_for("Rehtorin sihteeri") == JobGroup.SCHOOL_SECRETARY
    assert job_group_for("Palvelualuepäällikkö") == JobGroup.MANAGER
    assert job_group_for("Kiinteistönhoitaja") == JobGroup.OTHER
    assert job_group_for("") == JobGroup.OTHER


def test_new_starters_are_created_with_staff_number_and_job_group(run_sync, unit):
    result = run_sync(
        HEADER
        + "100,maija@lahti.fi,Maija M,Luokanopettaja,KIV\n101,pekka@lahti.fi,Pekka P,Rehtori,KIV\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created 2, updated 0, unchanged 0" in result.output
    people = users()
    assert people["100"].job_group == JobGroup.TEACHER
    assert people["101"].job_group == JobGroup.PRINCIPAL
    assert people["100"].roles == {Role.STAFF} and people["100"].password_hash is None
    created = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "staff.created")
    ).all()
    assert sorted(e.object_id for e in created) == sorted([people["100"].id, people["101"].id])
    assert all("maija" not in str(e.details) for e in created)  # no names or addresses


def test_unit_and_division_changes_are_applied_and_logged(run_sync, make_user, other_unit):
    person = make_user(staff_number="100", email="maija@lahti.fi", name="Maija M")
    result = run_sync(HEADER + "100,maija@lahti.fi,Maija M,Opettaja,LAKS\n")
    assert result.exit_code == 0, result.output
    assert db.session.get(User, person.id).unit_id == other_unit.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.updated"))
    assert event.object_id == person.id
    assert event.details["unit"] == ["KIV", "LAKS"]
    assert event.details["division"] == ["PERUS", "SIVI"]


def test_an_existing_account_is_adopted_by_its_address(run_sync, make_user):
    person = make_user(email="maija@lahti.fi", name="Maija M", job_title="Opettaja")
    assert run_sync(HEADER + "100,Maija@Lahti.fi,Maija M,Opettaja,KIV\n").exit_code == 0
    assert db.session.get(User, person.id).staff_number == "100"
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.fixture
def leaver_with_sessions(make_user, supervisor, admin, school_year, next_school_year, today):
    """A staff member with a process (one held, one planned session) and a waiting request."""
    leaver = make_user(staff_number="100", email="leaver@lahti.fi", name="Lea Leaver")
    submit_individual_request(
        leaver,
        RequestInput(school_year.id, 4, ("video",), "fi", today, answers={1: "x"}),
        today,
    )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    process = matching.accept_assignment(admin, run.assignments[0], today, reason="test").process
    db.session.commit()
    planned = []
    for days in (2, 4):
        starts = rules.local_to_utc(today + timedelta(days=days), time(10))
        data = SessionInput(rules.local_date(starts), time(10), 60, "video")
        sup_session, _ = services.plan_session(
            supervisor.user, process, data, starts - timedelta(days=7)
        )
        planned.append(sup_session)
    held, coming = planned
    services.log_session(
        supervisor.user, held, LogInput(SessionStatus.HELD, 60), held.starts_at + timedelta(hours=2)
    )
    waiting = submit_individual_request(
        leaver,
        RequestInput(
            next_school_year.id,
            3,
            ("video",),
            "fi",
            next_school_year.starts_on,
            answers={1: "y"},
        ),
        today,
    )
    db.session.commit()
    return leaver, process, held, coming, waiting


def test_a_leaver_is_deactivated_and_their_requests_and_sessions_freed(
    run_sync, make_user, leaver_with_sessions, supervisor
):
    leaver, process, held, coming, waiting = leaver_with_sessions
    # 20 colleagues stay: one leaver in 21 is under the 5 % guard
    for n in range(20):
        make_user(
            staff_number=str(200 + n), email=f"s{n}@lahti.fi", name=f"S{n}", job_title="Opettaja"
        )
    held_costs = sorted((c.division_id, c.amount_cents) for c in held.costs)
    assert held_costs
    rows = "".join(f"{200 + n},s{n}@lahti.fi,S{n},Opettaja,KIV\n" for n in range(20))

    result = run_sync(HEADER + rows)

    assert result.exit_code == 0, result.output
    assert (
        "Deactivated 1 leaver(s); withdrew 1 request(s) and cancelled 1 coming session(s)"
        in result.output
    )
    db.session.expire_all()
    leaver = db.session.get(User, leaver.id)
    assert leaver.is_active_account is False
    assert db.session.get(SupervisionRequest, waiting.id).status == RequestStatus.WITHDRAWN
    assert db.session.get(SupervisionSession, coming.id).status == SessionStatus.CANCELLED
    kept = db.session.get(SupervisionSession, held.id)
    assert kept.status == SessionStatus.HELD
    assert sorted((c.division_id, c.amount_cents) for c in kept.costs) == held_costs
    assert db.session.get(type(process), process.id).status == ProcessStatus.CLOSED
    note = db.session.scalar(
        select(Notification).where(Notification.kind == NotificationKind.CLIENT_LEFT)
    )
    assert note.user_id == supervisor.user_id and note.params["cancelled"] == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.deactivated"))
    assert event.object_id == leaver.id and event.details["withdrawn"] == 1


def test_dry_run_prints_the_difference_and_changes_nothing(run_sync, make_user, other_unit):
    make_user(staff_number="100", email="maija@lahti.fi", name="Maija M", job_title="Opettaja")
    make_user(staff_number="101", email="gone@lahti.fi", name="Gone", job_title="Opettaja")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))

    result = run_sync(
        HEADER + "100,maija@lahti.fi,Maija M,Opettaja,LAKS\n102,new@lahti.fi,New N,Rehtori,KIV\n",
        "--dry-run",
        "--force",
    )

    assert result.exit_code == 0, result.output
    assert "+ new      102 new@lahti.fi: New N, Rehtori, unit KIV" in result.output
    assert "~ changed  100 maija@lahti.fi: " in result.output
    assert "unit 'KIV' -> 'LAKS', division 'PERUS' -> 'SIVI'" in result.output
    assert "- leaver   101 gone@lahti.fi" in result.output
    assert "Nothing was changed." in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    assert all(u.is_active_account for u in users().values())
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_too_many_leavers_refuse_without_force(run_sync, make_user):
    for n in range(10):
        make_user(
            staff_number=str(100 + n), email=f"p{n}@lahti.fi", name=f"P{n}", job_title="Opettaja"
        )
    rows = "".join(f"{100 + n},p{n}@lahti.fi,P{n},Opettaja,KIV\n" for n in range(5))

    refused = run_sync(HEADER + rows)

    assert refused.exit_code == 1
    assert "would deactivate 5 of 10 active staff members (50%)" in refused.output
    assert "Nothing was imported" in refused.output
    assert all(u.is_active_account for u in users().values())

    forced = run_sync(HEADER + rows, "--force")
    assert forced.exit_code == 0, forced.output
    db.session.expire_all()
    assert sum(not u.is_active_account for u in users().values()) == 5


def test_a_conflicting_address_writes_nothing(run_sync, make_user):
    make_user(staff_number="100", email="maija@lahti.fi", name="Maija M")
    result = run_sync(
        HEADER + "101,new@lahti.fi,New N,Opettaja,KIV\n102,maija@lahti.fi,Impostor,Opettaja,KIV\n"
    )
    assert result.exit_code == 1
    assert "belongs to the person with staff number '100'" in result.output
    assert set(users()) == {"100"}


def test_a_returning_person_is_reactivated(run_sync, make_user):
    person = make_user(
        staff_number="100", email="maija@lahti.fi", name="Maija M", job_title="Opettaja"
    )
    person.is_active_account = False
    db.session.commit()
    result = run_sync(HEADER + "100,maija@lahti.fi,Maija M,Opettaja,KIV\n")
    assert result.exit_code == 0, result.output
    assert "Reactivated 1" in result.output
    assert db.session.get(User, person.id).is_active_account is True


def test_accounts_without_a_staff_number_are_never_deactivated(run_sync, make_user, supervisor):
    make_user(staff_number="100", email="maija@lahti.fi", name="Maija M", job_title="Opettaja")
    result = run_sync(HEADER + "100,maija@lahti.fi,Maija M,Opettaja,KIV\n")
    assert result.exit_code == 0, result.output
    assert db.session.get(User, supervisor.user_id).is_active_account is True


def test_a_failure_while_writing_writes_nothing(run_sync, make_user, monkeypatch):
    from lahti_pool.core.errors import DomainError
    from lahti_pool.organisation import leavers

    for n in range(30):
        make_user(staff_number=str(100 + n), email=f"p{n}@lahti.fi", name=f"P{n}")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))

    def refuse(user, now):
        raise DomainError("This session can no longer be changed.")

    monkeypatch.setattr(leavers, "deactivate_leaver", refuse)
    rows = "".join(f"{100 + n},p{n}@lahti.fi,P{n} New,Opettaja,KIV\n" for n in range(29))
    result = run_sync(HEADER + "999,new@lahti.fi,New N,Opettaja,KIV\n" + rows)

    assert result.exit_code == 1
    assert "can no longer be changed. Nothing was imported." in result.output
    db.session.expire_all()
    people = users()
    assert "999" not in people and people["100"].name == "P0"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_a_leavers_on_duty_booking_is_freed_for_others(
    run_sync, make_user, supervisor, school_year
):
    from datetime import timedelta

    from tests_support import add_slot

    from lahti_pool.core.models import utcnow
    from lahti_pool.slots import services as slot_services
    from lahti_pool.slots.models import OnDutySlot, SlotStatus

    leaver = make_user(staff_number="100", email="leaver@lahti.fi", name="Lea Leaver")
    for n in range(30):
        make_user(
            staff_number=str(200 + n), email=f"s{n}@lahti.fi", name=f"S{n}", job_title="Opettaja"
        )
    starts_at = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    slot = add_slot(supervisor, starts_at)
    slot_services.book_slot(leaver, slot, {1: "a", 2: "b", 3: "c"}, utcnow())
    db.session.commit()
    rows = "".join(f"{200 + n},s{n}@lahti.fi,S{n},Opettaja,KIV\n" for n in range(30))

    result = run_sync(HEADER + rows)

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    freed = db.session.get(OnDutySlot, slot.id)
    assert freed.status == SlotStatus.OPEN and freed.booked_by_id is None
    note = db.session.scalar(
        select(Notification).where(Notification.kind == NotificationKind.SLOT_CANCELLED)
    )
    assert note.user_id == supervisor.user_id
