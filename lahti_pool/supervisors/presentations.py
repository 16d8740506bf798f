"""The supervisors' presentations that staff browse (who, what they offer, and any room),
and the part of it each supervisor edits themself."""

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from lahti_pool.accounts.models import User
from lahti_pool.core import audit, versions
from lahti_pool.core.errors import N_, DomainError, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.requests.models import SchoolYear
from lahti_pool.supervisors.models import (
    Supervisor,
    SupervisorLoad,
)
from lahti_pool.supervisors.photos import normalise_photo
from lahti_pool.supervisors.services import LANGUAGES, MODES, check_codes, has_free_capacity

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
    photo_version: int = 0  #: 0: no photo, the initials instead


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
                photo_version=sup.photo_version,
            )
        )
    return result


# --- The supervisor's own presentation -----------------------------------------------


@dataclass(frozen=True)
class OwnPresentationInput:
    """What a supervisor may change of their own profile: never the contract, the price,
    the capacity or the divisions, which the administrator keeps."""

    bio: str
    languages: tuple[str, ...]
    modes: tuple[str, ...]
    video_url: str = ""
    photo: bytes | None = None  #: a new upload, as sent
    remove_photo: bool = False


OWN_FIELDS = ("bio", "languages", "modes", "video_url")


def update_own_presentation(actor: User, supervisor: Supervisor, data: OwnPresentationInput):
    """Change the supervisor's own presentation; returns the names of the changed fields."""
    if supervisor.user_id != actor.id:
        raise NotPermitted(N_("You can change only your own presentation."))
    values = {
        "bio": data.bio.strip(),
        "languages": check_codes(data.languages, LANGUAGES, "languages"),
        "modes": check_codes(data.modes, MODES, "modes"),
        "video_url": data.video_url.strip(),
    }
    if not values["languages"]:
        raise DomainError(N_("Choose at least one language."), field="languages")
    if not values["modes"]:
        raise DomainError(N_("Choose at least one way of meeting."), field="modes")
    changed = [name for name in OWN_FIELDS if getattr(supervisor, name) != values[name]]
    if data.photo is not None:
        photo = normalise_photo(data.photo)  # refuses before anything is changed
        supervisor.photo, supervisor.photo_version = photo, supervisor.photo_version + 1
        changed.append("photo")
    elif data.remove_photo and supervisor.photo_version:
        supervisor.photo, supervisor.photo_version = None, 0
        changed.append("photo")
    for name in changed:
        if name in values:
            setattr(supervisor, name, values[name])
    if changed:
        audit.record(actor, "supervisor.presentation_updated", supervisor, changed=changed)
    db.session.flush()
    return changed
