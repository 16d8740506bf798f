"""The programmes in the surveys' populations and the mapping report (core registries).

- population ``cohort``: the accepted participants of a programme;
- mapping rows, one per programme running in the period: the cohort by job group and by
  organisation (the city or a guest organisation), the module days held in the period,
  and attendance (participants present, summed over those days, guests included).
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lahti_pool.core.mapping import MappingRow, register_mapping_subjects
from lahti_pool.core.populations import register_population
from lahti_pool.extensions import db
from lahti_pool.organisation import orgs
from lahti_pool.organisation.job_groups import LABELS as JOB_GROUP_LABELS
from lahti_pool.programmes.models import (
    DayAttendance,
    DayGuest,
    MemberStatus,
    ModuleDay,
    Programme,
    ProgrammeMember,
    ProgrammeModule,
    ProgrammeOrganiser,
)


def cohort_member_ids(programme_id: int | None):
    return select(ProgrammeMember.user_id).where(
        ProgrammeMember.programme_id == programme_id,
        ProgrammeMember.status == MemberStatus.ACCEPTED,
    )


def programme_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Programme.id, Programme.name).order_by(Programme.name))
    return [(i, n) for i, n in rows]


def mapping_rows(start: date, end: date) -> list[MappingRow]:
    from flask_babel import gettext

    from lahti_pool.accounts.models import User

    programmes = db.session.scalars(
        select(Programme).where(Programme.starts_on <= end, Programme.ends_on >= start)
    ).all()
    rows = []
    for programme in programmes:
        members = db.session.execute(
            select(User.id, User.job_group)
            .join(ProgrammeMember, ProgrammeMember.user_id == User.id)
            .where(
                ProgrammeMember.programme_id == programme.id,
                ProgrammeMember.status == MemberStatus.ACCEPTED,
            )
        ).all()
        by_role: dict[str, int] = {}
        for _id, job_group in members:
            label = gettext(JOB_GROUP_LABELS[job_group])
            by_role[label] = by_role.get(label, 0) + 1
        org_of = orgs.organisation_ids(user_id for user_id, _group in members)
        names = orgs.organisation_names(org_of.values())
        by_org: dict[str, int] = {}
        for org_id in org_of.values():
            by_org[names[org_id]] = by_org.get(names[org_id], 0) + 1
        days = (
            select(ModuleDay.id)
            .join(ProgrammeModule)
            .where(
                ProgrammeModule.programme_id == programme.id,
                ModuleDay.on_date.between(start, end),
                ModuleDay.attendance_recorded_at.is_not(None),
            )
        )
        held = db.session.scalar(select(func.count()).select_from(days.subquery()))
        present = db.session.scalar(
            select(func.count()).where(DayAttendance.day_id.in_(days))
        ) + db.session.scalar(
            select(func.count()).where(DayGuest.day_id.in_(days), DayGuest.attended)
        )
        rows.append(
            MappingRow(
                kind="programme",
                subject_id=programme.id,
                name=programme.name,
                members_by_role=by_role,
                members_by_organisation=by_org,
                events_held=held,
                attendances=present,
            )
        )
    return rows


def organiser_ids(programme_id: int | None):
    """A select of the users.id of a programme's organisers: they may survey its cohort."""
    return select(ProgrammeOrganiser.user_id).where(ProgrammeOrganiser.programme_id == programme_id)


register_population(
    "cohort",
    _l("A programme's cohort"),
    cohort_member_ids,
    programme_choices,
    organisers=organiser_ids,
    subject_kind="programme",
)
register_mapping_subjects("programme", _l("Development programme"), mapping_rows)
