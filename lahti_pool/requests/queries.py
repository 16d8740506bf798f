"""Reads behind the requests pages: a person's own requests, the administrator's list."""

from typing import NamedTuple

from sqlalchemy import func, select, union
from sqlalchemy.orm import joinedload, selectinload

from lahti_pool.accounts.models import User
from lahti_pool.core import versions
from lahti_pool.core.listing import Dates, RowPage, link_maker
from lahti_pool.extensions import db
from lahti_pool.requests import labels
from lahti_pool.requests.models import MemberStatus, RequestMember, SupervisionRequest
from lahti_pool.requests.rules import OPEN_STATUSES, RequestStatus


def dashboard_requests(user: User) -> list[SupervisionRequest]:
    """The 20 newest requests the user made or was named in, with their members."""
    # A UNION of the two id lists, not an OR: with the OR, PostgreSQL walked the creation
    # date index through every request of five years (180 ms at city scale).
    own_ids = union(
        select(SupervisionRequest.id).where(SupervisionRequest.requester_id == user.id),
        select(RequestMember.request_id).where(RequestMember.user_id == user.id),
    )
    mine = db.session.scalars(
        select(SupervisionRequest)
        .where(SupervisionRequest.id.in_(own_ids))
        .options(
            selectinload(SupervisionRequest.members),
            joinedload(SupervisionRequest.requester),  # an invitation names its organiser
        )
        .order_by(SupervisionRequest.created_at.desc())
        .limit(20)
    ).all()
    return mine


def held_for_open_requests(user: User, school_year_id: int) -> int:
    """The sessions the user's open requests hold of their quota (the rest of
    ``pending`` is granted in accepted processes but not yet planned)."""
    named = select(RequestMember.request_id).where(
        RequestMember.user_id == user.id, RequestMember.status != MemberStatus.DECLINED
    )
    return db.session.scalar(
        select(func.coalesce(func.sum(SupervisionRequest.sessions_requested), 0)).where(
            SupervisionRequest.school_year_id == school_year_id,
            SupervisionRequest.status.in_(OPEN_STATUSES),
            (SupervisionRequest.requester_id == user.id) | SupervisionRequest.id.in_(named),
        )
    )


class OverviewLine(NamedTuple):
    """A row of the administrator's list of requests, its texts made once."""

    url: str
    sent: str
    requester: str
    kind: str  #: its label, with the number taking part for a group
    sessions: int
    status: str  #: its label


# Counting five years of requests is ~20 ms on PostgreSQL: kept until a request changes.
@versions.cached_read(SupervisionRequest)
def admin_count(status: str) -> int:
    wanted = [SupervisionRequest.status == status] if status else []
    return db.session.scalar(select(func.count()).select_from(SupervisionRequest).where(*wanted))


def overview_page(status: str) -> RowPage:
    """A page of every request (of ``status``, if it is one), oldest first, as
    ``OverviewLine`` rows."""
    wanted = [SupervisionRequest.status == status] if status in set(RequestStatus) else []
    members = select(func.count()).where(RequestMember.request_id == SupervisionRequest.id)
    participating = members.where(RequestMember.status != MemberStatus.DECLINED)
    query = (
        select(
            SupervisionRequest.id,
            SupervisionRequest.created_at,
            SupervisionRequest.kind,
            SupervisionRequest.sessions_requested,
            SupervisionRequest.status,
            User.name,
            members.scalar_subquery().label("members"),
            participating.scalar_subquery().label("participating"),
        )
        .join(User, User.id == SupervisionRequest.requester_id)
        .where(*wanted)
        .order_by(SupervisionRequest.created_at, SupervisionRequest.id)
    )
    total = admin_count(status if wanted else "")
    page = RowPage(select=query, total=total, per_page=50, error_out=False)
    # Plain rows, and each label, date and link made once per page rather than per cell.
    dates, detail_url = Dates(), link_maker("requests.detail", "request_id")
    kinds = {kind: str(label) for kind, label in labels.KIND_LABELS.items()}
    page.items = [
        OverviewLine(
            detail_url(row.id),
            dates.date(row.created_at),
            row.name,
            kinds[row.kind] + (f" ({row.participating})" if row.members else ""),
            row.sessions_requested,
            labels.status_label(row.status),
        )
        for row in page.items
    ]
    return page
