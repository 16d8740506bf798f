"""The supervisors' presentations that staff browse: who, what they offer, and any room."""

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from lahti_pool.accounts.models import User
from lahti_pool.core import versions
from lahti_pool.extensions import db
from lahti_pool.requests.models import SchoolYear
from lahti_pool.supervisors.models import (
    Supervisor,
    SupervisorLoad,
)
from lahti_pool.supervisors.services import has_free_capacity

# --- Staff-facing presentations ----------------------------------------------------


@dataclass(frozen=True)
class Presentation:
    """What staff may see of a supervisor: no prices, no clients, no counts."""

    id: int
    name: str
    initials: str
    bio: str
    languages: tuple[str, ...]
    modes: tuple[str, ...]
    kinds: tuple[str, ...]
    areas: tuple[str, ...]
    qualifications: str
    has_free_capacity: bool


def initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").split() if p]
    return "".join(p[0] for p in parts[:1] + parts[1:][-1:]).upper() or "?"


@versions.cached_read(
    Supervisor,
    SupervisorLoad,
    User,
    key=lambda year, language="", mode="": (year.id, language, mode),
)
def presentations(year: SchoolYear, language: str = "", mode: str = "") -> list[Presentation]:
    """Active supervisors with their free capacity in ``year``, in one query (plain data,
    cached until a supervisor, their load or their user changes)."""
    rows = db.session.execute(
        select(Supervisor, func.coalesce(SupervisorLoad.sessions_granted, 0))
        .outerjoin(
            SupervisorLoad,
            and_(
                SupervisorLoad.supervisor_id == Supervisor.id,
                SupervisorLoad.school_year_id == year.id,
            ),
        )
        .join(Supervisor.user)
        .options(contains_eager(Supervisor.user))
        .where(Supervisor.active)
        .order_by(User.name, Supervisor.id)
    ).all()
    result = []
    for sup, granted in rows:
        # JSON lists are filtered here: containment queries differ between databases.
        if (language and language not in sup.languages) or (mode and mode not in sup.modes):
            continue
        free = has_free_capacity(
            sup.capacity_sessions, granted, sup.capacity_processes, sup.active_processes
        )
        result.append(
            Presentation(
                id=sup.id,
                name=sup.name,
                initials=initials(sup.name),
                bio=sup.bio,
                languages=tuple(sup.languages),
                modes=tuple(sup.modes),
                kinds=tuple(sup.kinds),
                areas=tuple(sup.areas),
                qualifications=sup.qualifications,
                has_free_capacity=free,
            )
        )
    return result
