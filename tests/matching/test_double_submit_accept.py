"""Double-submitted administrator actions answer "already done", never a server error
(issue 22, item 3): ten tabs accept one proposal, ten tabs generate one statement.

Real parallel requests through the app (each in its own context and database
connection), on the suite's database: file SQLite, or PostgreSQL with --db=postgresql.
"""

from sqlalchemy import func, select
from tests_support import submit_at_once

from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.models import AssignmentStatus, ProposedAssignment
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions.models import SupervisionProcess

TABS = 10


def test_ten_tabs_accepting_one_proposal_make_one_process_and_say_already_accepted(
    app, client, admin, staff, supervisor, school_year, today
):
    sup_request = submit_individual_request(
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=4,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    db.session.commit()
    assignment_id, supervisor_id, request_id = run.assignments[0].id, supervisor.id, sup_request.id
    login_id = admin.get_id()
    db.session.remove()

    answers = submit_at_once(
        app,
        login_id,
        f"/admin/matching/assignments/{assignment_id}/accept",
        {"supervisor": supervisor_id},
    )
    errors = [a[:300] for a in answers if not a.startswith("302 ")]
    assert errors == []
    accepted = [a for a in answers if "The assignment is accepted" in a]
    already = [a for a in answers if "has already been accepted" in a]
    assert (len(accepted), len(already)) == (1, TABS - 1)
    assert db.session.scalar(select(func.count()).select_from(SupervisionProcess)) == 1
    assignment = db.session.get(ProposedAssignment, assignment_id)
    assert assignment.status == AssignmentStatus.ACCEPTED
    assert request_id == db.session.scalar(select(SupervisionProcess.request_id))
