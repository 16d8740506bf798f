"""Back to a supervisor: a circle asks for one, a closed group is renewed with another;
both through the requests feature, with the same members."""

import pytest
from sqlalchemy import func, select

from lahti_pool.circles import renewal, services
from lahti_pool.core.errors import DomainError
from lahti_pool.extensions import db
from lahti_pool.requests.models import MemberStatus, RequestKind, SupervisionRequest
from lahti_pool.requests.quota import account_for
from lahti_pool.requests.services import GroupRequestInput


@pytest.fixture
def wish(next_school_year):
    def factory(**kwargs):
        kwargs.setdefault("school_year_id", next_school_year.id)
        kwargs.setdefault("sessions", 4)
        kwargs.setdefault("modes", ("on_site",))
        kwargs.setdefault("language", "fi")
        kwargs.setdefault("wanted_from", next_school_year.starts_on)
        return GroupRequestInput(**kwargs)

    return factory


def _requests() -> int:
    return db.session.scalar(select(func.count()).select_from(SupervisionRequest))


def test_a_circle_asks_for_a_supervisor_and_keeps_its_members(
    circle, members, wish, today, next_school_year, now
):
    before = _requests()
    sup_request = renewal.ask_for_supervisor(members[1], circle, wish(), today, "fi")
    db.session.commit()
    assert _requests() == before + 1
    assert sup_request.kind == RequestKind.GROUP and sup_request.group_name == circle.name
    rows = {m.user.name: m.status for m in sup_request.members}
    assert rows == {
        "Bertta Berg": MemberStatus.ORGANISER,
        "Anna Aalto": MemberStatus.INVITED,
        "Cecilia Carlsson": MemberStatus.INVITED,
    }
    # each member's sessions are held from the new year's quota, as for any group request
    assert account_for(members[0].id, next_school_year).state().pending == 4


def test_a_circle_smaller_than_a_group_is_told_so(circle, members, wish, today, now):
    services.leave_circle(members[2], circle, now)
    db.session.commit()
    with pytest.raises(DomainError, match="A group has 3 to 12 members"):
        renewal.ask_for_supervisor(members[1], circle, wish(), today, "fi")
    db.session.rollback()
    assert _requests() == 1  # the group's first request only


def test_a_closed_group_is_renewed_with_another_supervisor(
    closed_process, members, wish, today, make_supervisor
):
    other = make_supervisor(name="Toinen Ohjaaja")
    with pytest.raises(DomainError, match="another than the previous"):
        renewal.renew_group(
            members[2],
            closed_process,
            wish(preferred_supervisor_id=closed_process.supervisor_id),
            today,
            "fi",
        )
    db.session.rollback()
    before = _requests()
    sup_request = renewal.renew_group(
        members[2],
        closed_process,
        wish(preferred_supervisor_id=other.id, continue_previous=True),
        today,
        "fi",
    )
    db.session.commit()
    assert _requests() == before + 1
    assert sup_request.preferred_supervisor_id == other.id
    assert sup_request.continue_previous is False
    assert sup_request.group_name == "Sivistysjohtajat"
    assert {m.user_id for m in sup_request.members} == {m.id for m in members}


def test_an_active_group_is_not_renewed(group_process, members, wish, today, make_supervisor):
    other = make_supervisor()
    with pytest.raises(DomainError):
        renewal.renew_group(
            members[0], group_process, wish(preferred_supervisor_id=other.id), today, "fi"
        )
