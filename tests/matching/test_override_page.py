"""The override page: eligible supervisors first, every other one with its reason; a
refused override keeps what the administrator typed."""

import re

from sqlalchemy import select

from lahti_pool.extensions import db
from lahti_pool.matching import services
from lahti_pool.matching.eligibility import Policy
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions.models import SupervisionProcess


def _assignment_for(admin, staff, school_year, today):
    data = RequestInput(
        school_year_id=school_year.id,
        sessions=4,
        modes=("video",),
        language="fi",
        wanted_from=today,
    )
    sup_request = submit_individual_request(staff, data, today)
    db.session.commit()
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    return next(a for a in run.assignments if a.request_id == sup_request.id)


def _options(html: str) -> tuple[list[str], list[str]]:
    eligible = re.search(r'<optgroup label="Eligible">(.*?)</optgroup>', html, re.S)
    others = re.search(r'<optgroup label="Not eligible">(.*?)</optgroup>', html, re.S)

    def texts(match):
        return [t.strip() for t in re.findall(r"<option[^>]*>([^<]*)</option>", match.group(1))]

    return texts(eligible) if eligible else [], texts(others) if others else []


def test_override_lists_eligible_supervisors_first_and_each_other_with_its_reason(
    client, admin, staff, unit, make_supervisor, school_year, today
):
    best = make_supervisor(rank=1)
    second = make_supervisor(rank=2)
    in_conflict = make_supervisor(rank=3, unit_id=unit.id)  # the requester's own unit
    swedish_only = make_supervisor(rank=4, languages=["sv"])
    assignment = _assignment_for(admin, staff, school_year, today)
    client.login(admin)
    html = client.get(f"/admin/matching/assignments/{assignment.id}").get_data(as_text=True)
    eligible, others = _options(html)
    assert eligible == [f"1. {best.name}", f"2. {second.name}"]
    assert others == [
        f"3. {in_conflict.name}: conflict of interest with the unit",
        f"4. {swedish_only.name}: does not supervise in the language",
    ]
    assert html.index('label="Eligible"') < html.index('label="Not eligible"')


def test_a_refused_override_keeps_the_typed_reason(
    client, admin, staff, unit, make_supervisor, school_year, today
):
    make_supervisor(rank=1)
    in_conflict = make_supervisor(rank=2, unit_id=unit.id)
    assignment = _assignment_for(admin, staff, school_year, today)
    client.login(admin)
    response = client.post(
        f"/admin/matching/assignments/{assignment.id}/accept",
        data={
            "supervisor": in_conflict.id,
            "reason": "The client asked for someone she knows",
            "budget_override_reason": "Year-end spending",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, with the message
    assert "conflict of interest with the unit" in html
    assert 'value="The client asked for someone she knows"' in html
    assert 'value="Year-end spending"' in html
    assert re.search(rf'<option value="{in_conflict.id}" selected>', html)
    assert db.session.scalar(select(SupervisionProcess)) is None


def test_an_override_without_a_reason_says_so_beside_the_field(
    client, admin, staff, make_supervisor, school_year, today
):
    make_supervisor(rank=1)
    other = make_supervisor(rank=2)
    assignment = _assignment_for(admin, staff, school_year, today)
    client.login(admin)
    response = client.post(
        f"/admin/matching/assignments/{assignment.id}/accept",
        data={"supervisor": other.id, "budget_override_reason": "kept"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, with the message
    assert 'id="reason-error"' in html
    assert "Give the reason for choosing another supervisor." in html
    assert 'value="kept"' in html
