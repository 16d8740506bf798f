"""The administrator's queue: run matching, accept, override, stale proposals."""

import re
import threading

import pytest
from sqlalchemy import func, select

from lahti_pool.core.errors import DomainError
from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.extensions import db
from lahti_pool.matching import services
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.models import AssignmentStatus, ProposedAssignment
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.requests.quota import account_for
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions.models import SupervisionProcess
from lahti_pool.supervisors.capacity import capacities
from lahti_pool.supervisors.models import Supervisor
from tests.tests_support import CONFIRMED


@pytest.fixture
def submit(school_year, today):
    def factory(user, sessions=4, **kwargs):
        data = RequestInput(
            school_year_id=school_year.id,
            sessions=sessions,
            modes=tuple(kwargs.pop("modes", ("video",))),
            language=kwargs.pop("language", "fi"),
            wanted_from=today,
            **kwargs,
        )
        sup_request = submit_individual_request(user, data, today)
        db.session.commit()
        return sup_request

    return factory


def _assignment(run, sup_request) -> ProposedAssignment:
    return next(a for a in run.assignments if a.request_id == sup_request.id)


def test_matching_proposes_the_best_ranked_free_supervisor_and_waits_for_the_admin(
    admin, staff, make_supervisor, submit, school_year, today
):
    first = make_supervisor(rank=1)
    make_supervisor(rank=2)
    sup_request = submit(staff)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    a = _assignment(run, sup_request)
    assert (a.supervisor_id, a.status, a.rule) == (first.id, AssignmentStatus.PROPOSED, "ranking")
    assert sup_request.status == RequestStatus.MATCHED
    assert db.session.scalar(select(SupervisionProcess)) is None
    # Staff hear about the proposal only when the administrator acts on it.
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_accepting_creates_the_process_freezes_prices_and_reserves_capacity(
    client, admin, staff, make_supervisor, submit, school_year, today
):
    sup = make_supervisor(rank=1, price_individual_cents=9500, capacity_sessions=10)
    sup_request = submit(staff, sessions=4)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    client.login(admin)
    response = client.post(
        f"/admin/matching/assignments/{_assignment(run, sup_request).id}/accept",
        data={"supervisor": sup.id},
    )
    assert response.status_code == 302
    process = db.session.scalar(select(SupervisionProcess))
    assert (process.supervisor_id, process.sessions_granted, process.price_cents) == (
        sup.id,
        4,
        9500,
    )
    assert str(process.vat_percent) == "25.50"
    assert sup_request.status == RequestStatus.ACCEPTED
    assert capacities(school_year, [sup.id])[sup.id].free_sessions == 6
    assert db.session.get(Supervisor, sup.id).active_processes == 1
    notified = db.session.execute(select(Notification.user_id, Notification.kind)).all()
    assert (sup.user_id, NotificationKind.PROCESS_ASSIGNED) in notified
    assert (staff.id, NotificationKind.REQUEST_STATUS) in notified
    # The price is frozen: a later change to the supervisor's price does not move it.
    sup.price_individual_cents = 20000
    db.session.commit()
    db.session.refresh(process)
    assert process.price_cents == 9500
    # The staff member keeps the held quota as granted sessions.
    assert account_for(staff.id, school_year).state().pending == 4


def test_granting_fewer_sessions_releases_the_rest_of_the_quota(
    admin, staff, make_supervisor, submit, school_year, today
):
    make_supervisor(rank=1)
    sup_request = submit(staff, sessions=6)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    services.accept_assignment(admin, _assignment(run, sup_request), today, sessions=4)
    db.session.commit()
    assert account_for(staff.id, school_year).state().available == 6
    second = submit(staff, sessions=2)
    run2 = services.run_matching(admin, school_year, Policy.RANKING, today)
    with pytest.raises(DomainError, match="Grant between 1 and 2"):
        services.accept_assignment(admin, _assignment(run2, second), today, sessions=3)


def test_override_needs_a_reason_and_records_the_grounds(
    admin, staff, make_supervisor, submit, school_year, today
):
    best = make_supervisor(rank=1)
    other = make_supervisor(rank=2)
    sup_request = submit(staff)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    assignment = _assignment(run, sup_request)
    with pytest.raises(DomainError, match="reason"):
        services.accept_assignment(admin, assignment, today, supervisor_id=other.id)
    process = services.accept_assignment(
        admin, assignment, today, supervisor_id=other.id, reason="Client knows rank 1 privately"
    ).process
    db.session.commit()
    assert process.rule == "override"
    assert process.override_reason == "Client knows rank 1 privately"
    assert assignment.status == AssignmentStatus.OVERRIDDEN
    assert [(g["supervisor_id"], g["reason"]) for g in process.grounds] == [(best.id, "override")]


def test_override_to_a_supervisor_in_conflict_is_refused(
    admin, staff, unit, make_supervisor, submit, school_year, today
):
    make_supervisor(rank=1)
    own_unit = make_supervisor(rank=2, unit_id=unit.id)  # works in the requester's unit
    sup_request = submit(staff)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    with pytest.raises(DomainError, match="conflict of interest"):
        services.accept_assignment(
            admin, _assignment(run, sup_request), today, supervisor_id=own_unit.id, reason="x"
        )
    db.session.rollback()
    assert db.session.scalar(select(SupervisionProcess)) is None
    assert capacities(school_year, [own_unit.id])[own_unit.id].sessions_granted == 0


def test_stale_proposal_is_refused_when_capacity_changed_elsewhere(
    admin, staff, other_staff, make_supervisor, submit, school_year, today
):
    sup = make_supervisor(rank=1, capacity_sessions=8)
    r1 = submit(staff, sessions=4)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    # Somebody else books capacity of the same supervisor outside this proposal.
    from lahti_pool.supervisors import capacity

    capacity.reserve(sup.id, school_year, 2)
    db.session.commit()
    with pytest.raises(services.StaleProposal, match="run matching again"):
        services.accept_assignment(admin, _assignment(run, r1), today)
    db.session.rollback()
    assert db.session.scalar(select(SupervisionProcess)) is None


def test_stale_proposal_is_refused_when_the_request_was_withdrawn(
    admin, staff, make_supervisor, submit, school_year, today
):
    from lahti_pool.requests.services import withdraw_request

    make_supervisor(rank=1)
    sup_request = submit(staff)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    withdraw_request(staff, sup_request)
    db.session.commit()
    with pytest.raises(services.StaleProposal):
        services.accept_assignment(admin, _assignment(run, sup_request), today)


def test_accept_all_is_all_or_nothing(
    client, admin, staff, other_staff, make_supervisor, submit, school_year, today
):
    make_supervisor(rank=1, capacity_sessions=20)
    r1 = submit(staff, sessions=3)
    r2 = submit(other_staff, sessions=3)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    from lahti_pool.requests.services import withdraw_request

    withdraw_request(other_staff, r2)  # makes one assignment stale
    db.session.commit()
    client.login(admin)
    response = client.post(
        f"/admin/matching/runs/{run.id}/accept-all", data=CONFIRMED, follow_redirects=True
    )
    assert "has changed since matching" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0
    assert db.session.get(SupervisionRequest, r1.id).status == RequestStatus.MATCHED


def test_two_administrators_accepting_at_once_never_overbook(
    app, admin, staff, other_staff, make_supervisor, submit, school_year, today
):
    """Capacity for exactly one process; two acceptances race for it."""
    target = make_supervisor(rank=1, capacity_sessions=20, capacity_processes=1)
    make_supervisor(rank=2, capacity_sessions=20, capacity_processes=5)
    r1 = submit(staff, sessions=3)
    r2 = submit(other_staff, sessions=3)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    ids = [_assignment(run, r).id for r in (r1, r2)]
    admin_id, target_id = admin.id, target.id
    db.session.remove()
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(assignment_id):
        with app.app_context():
            from lahti_pool.accounts.models import User

            actor = db.session.get(User, admin_id)
            assignment = db.session.get(ProposedAssignment, assignment_id)
            barrier.wait()
            try:
                services.accept_assignment(
                    actor, assignment, today, supervisor_id=target_id, reason="race test"
                )
                db.session.commit()
                outcomes.append("ok")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"]
    assert db.session.get(Supervisor, target_id).active_processes == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SupervisionProcess)
            .where(SupervisionProcess.supervisor_id == target_id)
        )
        == 1
    )


def test_capacity_view_and_orders_export(
    client, admin, staff, make_supervisor, submit, school_year, today
):
    make_supervisor(rank=1, capacity_sessions=10, company_name="Ohjaus Oy")
    sup_request = submit(staff, sessions=5)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    services.accept_assignment(admin, _assignment(run, sup_request), today)
    db.session.commit()
    client.login(admin)
    page = client.get("/admin/matching/capacity").get_data(as_text=True)
    assert "50 %" in page  # 5 of 10 sessions granted
    response = client.get(
        "/admin/matching/orders.csv",
        query_string={"start": school_year.starts_on, "end": school_year.ends_on},
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Ohjaus Oy" in text and "ranking order" in text
    assert staff.name not in text  # orders name no clients
    bad = client.get("/admin/matching/orders.csv", query_string={"start": "x", "end": "y"})
    assert bad.status_code == 302


def test_acceptance_over_the_budget_needs_an_audited_reason(
    client, admin, staff, make_supervisor, submit, school_year, today
):
    from lahti_pool.budget.models import Budget
    from lahti_pool.core.audit import AuditEvent

    sup = make_supervisor(rank=1, price_individual_cents=10000)
    sup_request = submit(staff, sessions=5)  # 5 x 100.00 € = 500.00 €
    assert sup_request.sessions_requested * sup.price_individual_cents == 50000
    db.session.add(Budget(fiscal_year=today.year, division_id=None, amount_cents=40000))
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    assignment_id = _assignment(run, sup_request).id
    client.login(admin)
    page = client.post(
        f"/admin/matching/assignments/{assignment_id}/accept",
        data={"supervisor": sup.id},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "over the budget" in page
    assert db.session.scalar(select(SupervisionProcess)) is None
    page = client.post(
        f"/admin/matching/assignments/{assignment_id}/accept",
        data={"supervisor": sup.id, "budget_override_reason": "Extra money from the board"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "budget is 125 % used" in page
    assert db.session.scalar(select(SupervisionProcess)) is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "budget.override"))
    assert event.details["reason"] == "Extra money from the board"
    assert event.actor_id == admin.id


def test_group_is_never_given_a_supervisor_from_a_members_unit(
    admin, staff, make_user, make_supervisor, division, school_year, today
):
    """The organiser's unit is fine, but one member works where the best supervisor works."""
    from lahti_pool.organisation.models import Unit
    from lahti_pool.requests.services import GroupRequestInput, submit_group_request

    other_unit = Unit(code="OTH", name="Toinen koulu", division=division)
    db.session.add(other_unit)
    db.session.commit()
    conflicted = make_supervisor(rank=1, unit_id=other_unit.id)
    free = make_supervisor(rank=2)
    members = [make_user(), make_user(unit_id=other_unit.id)]
    sup_request = submit_group_request(
        staff,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=3,
            modes=("video",),
            language="fi",
            wanted_from=today,
            group_name="Tiimi",
            member_emails=tuple(m.email for m in members),
        ),
        today,
    )
    db.session.commit()
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    a = _assignment(run, sup_request)
    assert a.supervisor_id == free.id
    assert [(g["supervisor_id"], g["reason"]) for g in a.grounds] == [(conflicted.id, "conflict")]
    with pytest.raises(DomainError, match="conflict of interest"):
        services.accept_assignment(admin, a, today, supervisor_id=conflicted.id, reason="x")


def test_capacity_view_pages_supervisors_and_totals_the_whole_pool(
    client, admin, make_supervisor, school_year
):
    for rank in range(1, 56):  # 55 supervisors: two pages of 50
        make_supervisor(rank=rank, capacity_sessions=10)
    db.session.commit()
    client.login(admin)
    first = client.get("/admin/matching/capacity").get_data(as_text=True)
    second = client.get("/admin/matching/capacity?page=2").get_data(as_text=True)
    assert first.count("<progress") == 50 and second.count("<progress") == 5
    # The footer sums every supervisor, not only the ones on the page.
    for page in (first, second):
        assert '<th scope="row" colspan="2">Pool total</th>\n    <td>550</td>' in page
    assert 'href="/admin/matching/capacity?page=2"' in first


def test_queue_pages_the_waiting_requests(client, admin, make_user, submit):
    people = [make_user(email=f"waiting{i}@example.fi") for i in range(52)]
    for person in people:
        submit(person, sessions=2)
    client.login(admin)
    first = client.get("/admin/matching/").get_data(as_text=True)
    assert "52 requests are waiting." in first
    assert first.count('href="/requests/') == 50
    second = client.get("/admin/matching/?waiting=2").get_data(as_text=True)
    assert second.count('href="/requests/') == 2


def test_choosing_another_supervisor_on_the_assignment_page(
    client, admin, staff, make_supervisor, submit, school_year, today
):
    first = make_supervisor(rank=1)
    second = make_supervisor(rank=2)
    sup_request = submit(staff)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    assignment = _assignment(run, sup_request)
    client.login(admin)
    queue = client.get("/admin/matching/").get_data(as_text=True)
    assert f"/admin/matching/assignments/{assignment.id}" in queue
    page = client.get(f"/admin/matching/assignments/{assignment.id}").get_data(as_text=True)
    assert f'<option value="{first.id}" selected>' in page
    assert f'<option value="{second.id}">' in page
    response = client.post(
        f"/admin/matching/assignments/{assignment.id}/accept",
        data={"supervisor": second.id, "reason": "Continues with the same supervisor"},
    )
    assert response.status_code == 302
    process = db.session.scalar(select(SupervisionProcess))
    assert process.supervisor_id == second.id
    assert process.override_reason == "Continues with the same supervisor"
    assert client.get("/admin/matching/assignments/999999").status_code == 404


def test_the_queue_keeps_both_pagers_when_one_list_is_paged(
    client, admin, staff, make_supervisor, make_user, submit, school_year, today
):
    """Paging the waiting list keeps the proposals' page in its links, and the other way
    round (a page number passed to both lists once gave a server error)."""
    make_supervisor(rank=1)
    submit(staff)
    services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    submit(make_user(email="later@example.fi"))  # waits: matching has run already
    client.login(admin)
    for query in ("waiting=1", "proposed=1", "waiting=1&proposed=1", "waiting=3&proposed=2"):
        response = client.get(f"/admin/matching/?{query}")
        assert response.status_code == 200, query
    page = client.get("/admin/matching/?waiting=1&proposed=1").get_data(as_text=True)
    assert page.count('href="/requests/') >= 2  # the waiting request and the proposal's


def test_the_queue_page_shows_each_stage_of_the_proposal_in_words(
    client, admin, staff, make_supervisor, submit, school_year, today
):
    make_supervisor(rank=1)
    submit(staff)
    services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    client.login(admin)
    page = client.get("/admin/matching/").get_data(as_text=True)
    assert "Solver: proven optimal in every stage." in page
    table = page.split('id="solver-stages"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">Requests served</th><td>1</td><td>at most 1</td><td>proven</td>' in (
        table
    )
    assert "Older first" in table and "optimal," not in page


def test_an_unproven_stage_shows_its_bound_and_gap_in_the_readers_language(app):
    from lahti_pool.matching.queue_page import solver_status, stage_lines

    stats = {
        "status": "work_limit",
        "stages": [
            {"name": "serve", "proven": False, "value": -2940.0, "bound": -3111.0, "gap": 0.058},
            {"name": "age", "proven": False, "value": 4.1e6, "bound": None, "gap": None},
        ],
    }
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        served, age = stage_lines(stats)
        status = solver_status(stats)
    assert "work_limit" not in status
    assert served.value.replace("\xa0", " ") == "2 940"
    assert served.bound.replace("\xa0", " ") == "enintään 3 111"
    assert served.result.replace("\xa0", " ") == "ei todistettu; ero 5,8 %"
    assert age.bound == "ei rajaa"


def test_capacity_total_row_shows_shares_not_an_order_count_in_finnish(
    client, admin, staff, other_staff, make_supervisor, submit, school_year, today
):
    make_supervisor(rank=1, capacity_sessions=10)
    make_supervisor(rank=2, capacity_sessions=30)
    for person in (staff, other_staff):
        sup_request = submit(person, sessions=2)
        run = services.run_matching(admin, school_year, Policy.RANKING, today)
        services.accept_assignment(admin, _assignment(run, sup_request), today)
        db.session.commit()
    admin.locale = "fi"
    db.session.commit()
    client.login(admin)
    page = client.get("/admin/matching/capacity").get_data(as_text=True)
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert "Ulkoinen" not in header and "Sovittu" in header  # contracted capacity
    footer = page[page.index("<tfoot>") : page.index("</tfoot>")]
    cells = re.findall(r"<td>([^<]*)</td>", footer)
    # contracted, granted, used, utilisation, processes, share of orders, share of capacity
    assert cells[0:4] == ["40", "4", "0", "10 %"]
    assert cells[5:7] == ["100 %", "100 %"]  # not "2" (the order count) under a share
    assert "2 tilausta tehty puitesopimuksella tänä lukuvuonna." in page


def test_accept_all_asks_first_and_a_bare_post_accepts_nothing(
    client, admin, staff, other_staff, make_supervisor, submit, school_year, today
):
    sup = make_supervisor(rank=1, capacity_sessions=20)
    submit(staff, sessions=3)
    submit(other_staff, sessions=3)
    run = services.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    client.login(admin)
    url = f"/admin/matching/runs/{run.id}/accept-all"
    assert f'href="{url}"' in client.get("/admin/matching/").text  # a link, not a POST button
    page = client.get(url).text
    assert "Accept all proposed assignments?" in page
    assert "2 requests are accepted with their proposed supervisors" in page
    assert f"{staff.name} with {sup.name}" in page
    assert f"{other_staff.name} with {sup.name}" in page
    assert 'name="confirmed" value="yes"' in page and 'name="csrf_token"' in page
    assert 'href="/admin/matching/">No, back to matching' in page
    bare = client.post(url)
    assert bare.status_code == 200 and "Accept all proposed assignments?" in bare.text
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 0
    client.post(url, data={"confirmed": "yes"})
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 2
