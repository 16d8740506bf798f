"""The networks in the survey populations and the mapping report's rows."""

from datetime import timedelta

from lahti_pool.core.mapping import mapping_kinds, mapping_rows
from lahti_pool.core.models import utcnow
from lahti_pool.core.populations import population_kind
from lahti_pool.extensions import db
from lahti_pool.networks import events, services
from lahti_pool.organisation.job_groups import JobGroup
from lahti_pool.sessions.rules import local_date


def test_network_population_is_its_current_members(make_member, staff, network):
    member = make_member()
    services.join(staff, network, utcnow())
    services.leave(staff, network, utcnow())
    db.session.commit()
    kind = population_kind("network")
    assert kind is not None and (network.id, network.name) in kind.choices()
    assert set(db.session.scalars(kind.member_ids(network.id))) == {member.id}


def test_mapping_row_counts_members_by_job_group_and_organisation_and_attendance(
    make_member, make_guest, make_event, network, coordinator
):
    teacher = make_member(job_group=JobGroup.TEACHER)
    principal = make_member(job_group=JobGroup.PRINCIPAL)
    guest = make_guest(job_group=JobGroup.MANAGER)
    services.join(guest, network, utcnow())
    held, coming = make_event(capacity=5), make_event(capacity=5, days=10)
    for person in (teacher, principal, guest):
        events.register(person, held, utcnow())
        events.register(person, coming, utcnow())
    held.starts_at = utcnow() - timedelta(days=1)
    db.session.flush()
    events.record_attendance(coordinator, held, {teacher.id, guest.id}, utcnow())
    db.session.commit()

    today = local_date(utcnow())
    assert "network" in mapping_kinds()
    (row,) = [
        r
        for r in mapping_rows(today - timedelta(days=30), today + timedelta(days=30))
        if r.kind == "network"
    ]
    assert row.name == network.name
    assert row.members_by_role == {"Teacher": 1, "Principal": 1, "Manager": 1}
    assert row.members_by_organisation == {"City of Lahti": 2, "Hollolan kunta": 1}
    assert row.events_held == 1  # the coming event is not held yet
    assert row.attendances == 2


def test_mapping_period_leaves_out_earlier_events_and_later_members(
    make_member, make_event, network
):
    make_member()
    today = local_date(utcnow())
    rows = mapping_rows(today - timedelta(days=400), today - timedelta(days=300))
    (row,) = [r for r in rows if r.kind == "network"]
    assert row.members_by_role == {} and row.events_held == 0
