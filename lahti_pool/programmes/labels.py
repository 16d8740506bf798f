"""The programmes' words for their states."""

from flask_babel import lazy_gettext as _l

from lahti_pool.programmes.models import MemberStatus

STATUS_LABELS = {
    MemberStatus.APPLIED: _l("Applied"),
    MemberStatus.NOMINATED: _l("Nominated"),
    MemberStatus.ACCEPTED: _l("In the cohort"),
    MemberStatus.WAITING: _l("On the waiting list"),
    MemberStatus.REFUSED: _l("Not taken"),
}
