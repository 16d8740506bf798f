"""The two populations the surveys feature registers itself (core/populations.py): all
staff, and staff who have not used supervision lately. Features with networks and
programmes register theirs (their members, their cohort)."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core.models import utcnow
from lahti_pool.core.populations import register_population
from lahti_pool.sessions.models import SessionAttendance, SessionStatus, SupervisionSession
from lahti_pool.sessions.rules import local_date

ALL_STAFF = "all_staff"
NON_USERS = "non_users"
#: "not used lately": no held session attended in this many days
NON_USER_DAYS = 365


def all_staff(_subject_id=None):
    """Every active account with the staff role."""
    return (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.STAFF, User.is_active_account.is_(True))
    )


def non_users(_subject_id=None):
    """Active staff who attended no held supervision session in the last year."""
    since = local_date(utcnow()) - timedelta(days=NON_USER_DAYS)
    attended = exists().where(
        SessionAttendance.user_id == User.id,
        SessionAttendance.attended.isnot(False),
        SessionAttendance.session_id == SupervisionSession.id,
        SupervisionSession.status == SessionStatus.HELD,
        SupervisionSession.on_date >= since,
    )
    return all_staff().where(~attended)


register_population(ALL_STAFF, _l("All staff"), all_staff)
register_population(
    NON_USERS, _l("Staff who have not attended supervision in the last 12 months"), non_users
)
