"""One acceptance per proposed assignment, however many tabs submit it at once.

Two tabs (or two administrators) accepting the same assignment both passed the checks
and both created a process; the second failed on the unique request of a process with
a server error. The conditional UPDATE below claims the assignment first: the database
serialises the claims (PostgreSQL locks the row, SQLite the file), and every claim after
the first finds the assignment no longer open and says so.
"""

from sqlalchemy import select, update

from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.matching.models import AssignmentStatus, ProposedAssignment

#: an assignment in these states may be accepted
OPEN = (AssignmentStatus.PROPOSED, AssignmentStatus.UNMATCHED)
DONE = (AssignmentStatus.ACCEPTED, AssignmentStatus.OVERRIDDEN)


ALREADY_ACCEPTED = N_(
    "This assignment has already been accepted, in another tab or by another administrator."
)


def refuse_if_accepted(assignment: ProposedAssignment) -> None:
    """Refuse an assignment accepted before this request began (a resubmitted tab).

    :raises DomainError: it has been accepted already
    """
    if assignment.status in DONE:
        raise DomainError(ALREADY_ACCEPTED)


def claim_assignment(assignment: ProposedAssignment) -> None:
    """Mark the assignment accepted in this transaction, or refuse: it has been already.

    Called after every other check, just before the process is created, so that a refusal
    for any other reason has changed nothing. The caller sets the final status (accepted
    or overridden) on the object afterwards.

    :raises DomainError: another request accepted it first, or it is closed
    """
    claimed = db.session.execute(
        update(ProposedAssignment)
        .where(ProposedAssignment.id == assignment.id, ProposedAssignment.status.in_(OPEN))
        .values(status=AssignmentStatus.ACCEPTED)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed == 1:
        return
    status = db.session.scalar(
        select(ProposedAssignment.status).where(ProposedAssignment.id == assignment.id)
    )
    if status in DONE:
        raise DomainError(ALREADY_ACCEPTED)
    raise DomainError(N_("This proposal is no longer open; run matching again."))
