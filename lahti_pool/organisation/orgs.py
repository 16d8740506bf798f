"""Which organisation people belong to: the city, or a guest organisation.

A guest organisation's officials belong to a unit of its own division
(``Division.organisation_id``); everybody else is the city's. Features that count or
split by organisation (shared groups' cost keys, hosts' rotation, programmes' cohorts,
networks' mapping) ask here rather than walking the tables themselves.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Organisation, Unit

#: what the city is called where organisations are listed side by side
CITY_NAME = _l("City of Lahti")


def organisation_ids(user_ids) -> dict[int, int | None]:
    """Each user's guest organisation id, None for the city's staff, in one query."""
    from lahti_pool.accounts.models import User  # accounts imports organisation

    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, Division.organisation_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(Division, Division.id == Unit.division_id)
        .where(User.id.in_(ids))
    )
    return {user_id: org_id for user_id, org_id in rows}


def organisation_names(org_ids) -> dict[int | None, str]:
    """Names of the organisations ``org_ids`` (None is the city), for display."""
    wanted = {i for i in org_ids if i is not None}
    names: dict[int | None, str] = {None: str(CITY_NAME)}
    if wanted:
        rows = db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
        )
        names.update(dict(rows.all()))
    return names
