"""Use cases of the pool administrator: framework agreements and supervisor profiles.

The checks at the top are pure (no Flask, no database) so that the forms, the
services and the CSV importer apply the same rules. Services take the acting user
and a frozen input, check everything before changing anything, flush, and never
commit: the view commits once, or rolls back on a DomainError.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.services import find_user_by_email
from lahti_pool.core import audit, money, versions
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.models import Mode, SchoolYear
from lahti_pool.supervisors.models import (
    AllocationRule,
    FrameworkAgreement,
    Supervisor,
    SupervisorKind,
    SupervisorLoad,
)

#: language codes a supervisor may offer (labels in requests/forms.py)
LANGUAGES = ("fi", "sv", "en", "et", "ru")
MODES = tuple(m.value for m in Mode)
#: kinds of supervision a supervisor takes on
KINDS = ("individual", "group")
#: a sanity limit for one session's price: 10,000.00 €
MAX_PRICE_CENTS = 1_000_000
MAX_CAPACITY = 100_000

# --- Pure checks -------------------------------------------------------------------

BUSINESS_ID = re.compile(r"^(\d{7})-(\d)$")
BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_is_valid(text: str) -> bool:
    """Whether ``text`` is a Finnish business ID (Y-tunnus) with a correct check digit.

    The format is seven digits, a hyphen and a check digit: ``1234567-8``. (Older
    six-digit IDs are written with a leading zero.) The check digit is computed
    from the seven digits: multiply them by the weights 7, 9, 10, 5, 8, 4, 2 in
    order and sum the products; take the remainder of the sum divided by 11. A
    remainder of 0 gives the check digit 0; a remainder of 1 is never issued, so
    such an ID is invalid; any other remainder r gives the check digit 11 − r.

    Example: 0112038-9 → 0·7 + 1·9 + 1·10 + 2·5 + 0·8 + 3·4 + 8·2 = 57;
    57 mod 11 = 2; 11 − 2 = 9, which matches.
    """
    match = BUSINESS_ID.match(text)
    if match is None:
        return False
    digits, check = match.groups()
    remainder = sum(int(d) * w for d, w in zip(digits, BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return False
    return int(check) == (0 if remainder == 0 else 11 - remainder)


def check_business_id(text: str) -> str:
    """The business ID without surrounding spaces; empty stays empty."""
    text = text.strip()
    if text and not business_id_is_valid(text):
        raise DomainError(
            N_("This is not a valid business ID (Y-tunnus). Write it as 1234567-8."),
            field="business_id",
        )
    return text


def check_period(starts_on: date | None, ends_on: date | None, field: str) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(N_("The end date cannot be before the start date."), field=field)


def price_cents(amount: Decimal, field: str) -> int:
    """A price per session in whole cents; negative prices, fractions of a cent and
    more than :data:`MAX_PRICE_CENTS` refused."""
    if amount < 0:
        raise DomainError(N_("A price cannot be negative."), field=field)
    cents = money.to_cents(amount, field)
    if cents > MAX_PRICE_CENTS:
        raise DomainError(N_("This price is too large for one session."), field=field)
    return cents


def check_capacity(value: int, field: str) -> int:
    if value < 0:
        raise DomainError(N_("Capacity cannot be negative."), field=field)
    if value > MAX_CAPACITY:
        raise DomainError(N_("This capacity is too large."), field=field)
    return value


def check_codes(codes: tuple[str, ...], allowed: tuple[str, ...], field: str) -> list[str]:
    """The codes in the order of ``allowed``; unknown codes refused."""
    unknown = sorted(set(codes) - set(allowed))
    if unknown:
        raise DomainError(N_("Unknown choice: %(codes)s."), field=field, codes=", ".join(unknown))
    return [c for c in allowed if c in codes]


def split_areas(text: str) -> tuple[str, ...]:
    """Comma-separated areas as a tuple: trimmed, empty ones and repeats dropped."""
    areas = [a.strip() for a in text.split(",")]
    return tuple(dict.fromkeys(a for a in areas if a))


def has_free_capacity(
    capacity_sessions: int, sessions_granted: int, capacity_processes: int, active_processes: int
) -> bool:
    """Free: sessions left in the school year and room for another process at once."""
    return capacity_sessions - sessions_granted > 0 and active_processes < capacity_processes


# --- Framework agreements ----------------------------------------------------------


@dataclass(frozen=True)
class AgreementInput:
    name: str
    procurement_ref: str
    starts_on: date
    ends_on: date
    allocation_rule: AllocationRule
    vat_percent: Decimal


def _agreement_named(key: str, agreement: FrameworkAgreement | None) -> FrameworkAgreement | None:
    """Another agreement whose name or procurement reference is ``key`` (case-insensitive).

    Names and references must not collide, as the importer finds agreements by either.
    """
    key = key.strip().lower()
    query = select(FrameworkAgreement).where(
        (func.lower(FrameworkAgreement.name) == key)
        | (func.lower(FrameworkAgreement.procurement_ref) == key)
    )
    if agreement is not None and agreement.id is not None:
        query = query.where(FrameworkAgreement.id != agreement.id)
    return db.session.scalars(query).first() if key else None


def _check_agreement(agreement: FrameworkAgreement | None, data: AgreementInput) -> None:
    if not data.name.strip():
        raise DomainError(N_("Give the agreement a name."), field="name")
    check_period(data.starts_on, data.ends_on, "ends_on")
    if not Decimal(0) <= data.vat_percent <= Decimal(100):
        raise DomainError(N_("Give a VAT percentage between 0 and 100."), field="vat_percent")
    if data.vat_percent != data.vat_percent.quantize(Decimal("0.01")):
        raise DomainError(N_("Give the VAT with at most two decimals."), field="vat_percent")
    for field in ("name", "procurement_ref"):
        if _agreement_named(getattr(data, field), agreement) is not None:
            raise DomainError(
                N_("Another agreement already has this name or reference."), field=field
            )


def _apply_agreement(agreement: FrameworkAgreement, data: AgreementInput) -> list[str]:
    new = {
        "name": data.name.strip(),
        "procurement_ref": data.procurement_ref.strip(),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "allocation_rule": data.allocation_rule,
        "vat_percent": data.vat_percent.quantize(Decimal("0.01")),
    }
    changed = [name for name, value in new.items() if getattr(agreement, name) != value]
    for name in changed:
        setattr(agreement, name, new[name])
    return changed


def create_agreement(actor: User, data: AgreementInput) -> FrameworkAgreement:
    _check_agreement(None, data)
    agreement = FrameworkAgreement()
    _apply_agreement(agreement, data)
    db.session.add(agreement)
    db.session.flush()
    audit.record(actor, "agreement.created", agreement)
    return agreement


def update_agreement(actor: User, agreement: FrameworkAgreement, data: AgreementInput) -> None:
    old_vat = agreement.vat_percent
    _check_agreement(agreement, data)
    changed = _apply_agreement(agreement, data)
    if changed:
        audit.record(actor, "agreement.updated", agreement, changed=changed)
    if "vat_percent" in changed:
        audit.record(
            actor,
            "agreement.vat_changed",
            agreement,
            old=str(old_vat),
            new=str(agreement.vat_percent),
        )
    db.session.flush()


# --- Supervisors -------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisorInput:
    kind: SupervisorKind
    agreement_id: int | None
    rank: int | None
    company_name: str
    business_id: str
    contract_starts_on: date | None
    contract_ends_on: date | None
    #: euros per session, VAT excluded
    price_individual: Decimal
    price_group: Decimal
    capacity_sessions: int
    capacity_processes: int
    languages: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    division_ids: tuple[int, ...] = ()
    areas: tuple[str, ...] = ()
    qualifications: str = ""
    bio: str = ""
    conflict_unit_ids: tuple[int, ...] = ()
    #: the existing user who becomes the supervisor (creation only)
    email: str = ""


PRICE_FIELDS = ("price_individual_cents", "price_group_cents")
CAPACITY_FIELDS = ("capacity_sessions", "capacity_processes")


def _rank_holder(agreement_id: int, rank: int, supervisor: Supervisor | None) -> Supervisor | None:
    query = select(Supervisor).where(
        Supervisor.agreement_id == agreement_id, Supervisor.rank == rank
    )
    if supervisor is not None and supervisor.id is not None:
        query = query.where(Supervisor.id != supervisor.id)
    return db.session.scalar(query)


def _granted_this_year(supervisor: Supervisor, today: date) -> int:
    return (
        db.session.scalar(
            select(SupervisorLoad.sessions_granted)
            .join(SchoolYear, SchoolYear.id == SupervisorLoad.school_year_id)
            .where(
                SupervisorLoad.supervisor_id == supervisor.id,
                and_(SchoolYear.starts_on <= today, SchoolYear.ends_on >= today),
            )
        )
        or 0
    )


def _rows(model, ids: tuple[int, ...], field: str) -> list:
    wanted = set(ids)
    rows = list(db.session.scalars(select(model).where(model.id.in_(wanted)))) if wanted else []
    if len(rows) != len(wanted):
        raise DomainError(N_("Choose from the list."), field=field)
    return sorted(rows, key=lambda r: r.id)


def _check_contract(supervisor: Supervisor | None, data: SupervisorInput) -> dict:
    """Every check before any change; the new column values."""
    agreement_id, rank = data.agreement_id, data.rank
    if data.kind == SupervisorKind.CONTRACTED:
        if agreement_id is None or db.session.get(FrameworkAgreement, agreement_id) is None:
            raise DomainError(
                N_("A contracted supervisor needs a framework agreement."), field="agreement"
            )
        if rank is None or rank < 1:
            raise DomainError(
                N_("Give the supplier's rank in the agreement (1 = best)."), field="rank"
            )
        holder = _rank_holder(agreement_id, rank, supervisor)
        if holder is not None:
            raise DomainError(
                N_("Rank %(rank)s in this agreement is already held by %(name)s."),
                field="rank",
                rank=rank,
                name=holder.name,
            )
        if not data.company_name.strip():
            raise DomainError(N_("Give the supplier's company name."), field="company_name")
        if not data.business_id.strip():
            raise DomainError(N_("Give the supplier's business ID."), field="business_id")
    else:
        agreement_id, rank = None, None  # internal supervisors are outside the agreement
    if len(data.company_name.strip()) > 200:
        raise DomainError(N_("Use at most 200 characters."), field="company_name")
    check_period(data.contract_starts_on, data.contract_ends_on, "contract_ends_on")
    return {
        "kind": data.kind,
        "agreement_id": agreement_id,
        "rank": rank,
        "company_name": data.company_name.strip(),
        "business_id": check_business_id(data.business_id),
        "contract_starts_on": data.contract_starts_on,
        "contract_ends_on": data.contract_ends_on,
    }


def _check_offer(supervisor: Supervisor | None, data: SupervisorInput, today: date) -> dict:
    values = {
        "price_individual_cents": price_cents(data.price_individual, "price_individual"),
        "price_group_cents": price_cents(data.price_group, "price_group"),
        "capacity_sessions": check_capacity(data.capacity_sessions, "capacity_sessions"),
        "capacity_processes": check_capacity(data.capacity_processes, "capacity_processes"),
        "languages": check_codes(data.languages, LANGUAGES, "languages"),
        "modes": check_codes(data.modes, MODES, "modes"),
        "kinds": check_codes(data.kinds, KINDS, "kinds"),
        "areas": [a.strip() for a in data.areas if a.strip()],
        "qualifications": data.qualifications.strip(),
        "bio": data.bio.strip(),
    }
    if len(values["qualifications"]) > 500:
        raise DomainError(N_("Use at most 500 characters."), field="qualifications")
    if supervisor is not None and supervisor.id is not None:
        if values["capacity_processes"] < supervisor.active_processes:
            raise DomainError(
                N_("%(n)s processes are active now; the capacity cannot be lower."),
                field="capacity_processes",
                n=supervisor.active_processes,
            )
        granted = _granted_this_year(supervisor, today)
        if values["capacity_sessions"] < granted:
            raise DomainError(
                N_("%(n)s sessions are already granted this school year; choose at least that."),
                field="capacity_sessions",
                n=granted,
            )
    return values


def _apply_supervisor(
    supervisor: Supervisor, data: SupervisorInput, today: date
) -> tuple[list[str], dict]:
    """Check, then change; the names of the changed fields and their old values."""
    values = _check_contract(supervisor, data) | _check_offer(supervisor, data, today)
    divisions = _rows(Division, data.division_ids, "divisions")
    conflicts = _rows(Unit, data.conflict_unit_ids, "conflicts")
    old = {name: getattr(supervisor, name) for name in values}
    changed = [name for name, value in values.items() if old[name] != value]
    for name in changed:
        setattr(supervisor, name, values[name])
    for name, rows in (("divisions", divisions), ("conflicts", conflicts)):
        if {r.id for r in getattr(supervisor, name)} != {r.id for r in rows}:
            setattr(supervisor, name, rows)
            changed.append(name)
    return changed, old


def _record_changes(actor: User, supervisor: Supervisor, changed: list[str], old: dict) -> None:
    if not changed:
        return
    audit.record(actor, "supervisor.updated", supervisor, changed=changed)
    for action, fields in (
        ("supervisor.price_changed", PRICE_FIELDS),
        ("supervisor.capacity_changed", CAPACITY_FIELDS),
    ):
        for name in fields:
            if name in changed:
                new = getattr(supervisor, name)
                audit.record(actor, action, supervisor, field=name, old=old[name], new=new)


def create_supervisor(actor: User | None, data: SupervisorInput, today: date) -> Supervisor:
    """Make an existing user a supervisor; they get the supervisor role."""
    user = find_user_by_email(data.email) if data.email.strip() else None
    if user is None:
        raise DomainError(
            N_("No user has this e-mail address. Create the user first."), field="email"
        )
    if db.session.scalar(select(Supervisor.id).where(Supervisor.user_id == user.id)):
        raise DomainError(N_("This user already has a supervisor profile."), field="email")
    if user.has_role(Role.ADMIN):
        # A supervisor reads their clients' confidential answers and goals; the pool
        # administrator may not, and assigns supervisors, so could assign themself.
        raise DomainError(
            N_(
                "This user is a pool administrator and cannot have a supervisor profile: "
                "a supervisor reads confidential answers the administrator may not see."
            ),
            field="email",
        )
    supervisor = Supervisor(user=user, active=True, active_processes=0)
    supervisor.divisions, supervisor.conflicts = [], []
    _apply_supervisor(supervisor, data, today)
    old_roles = user.roles
    user.set_roles(old_roles | {Role.SUPERVISOR})
    db.session.add(supervisor)
    db.session.flush()
    audit.record(actor, "supervisor.created", supervisor, user_id=user.id)
    if Role.SUPERVISOR not in old_roles:
        audit.record(
            actor,
            "user.roles_changed",
            user,
            old=sorted(r.value for r in old_roles),
            new=sorted(r.value for r in user.roles),
        )
    return supervisor


def update_supervisor(
    actor: User | None, supervisor: Supervisor, data: SupervisorInput, today: date
) -> list[str]:
    """Change the profile; returns the names of the changed fields."""
    changed, old = _apply_supervisor(supervisor, data, today)
    _record_changes(actor, supervisor, changed, old)
    db.session.flush()
    return changed


def set_supervisor_active(actor: User, supervisor: Supervisor, active: bool) -> None:
    """Deactivate (no new processes; running ones continue) or reactivate a supervisor."""
    if supervisor.active == active:
        return
    supervisor.active = active
    action = "supervisor.activated" if active else "supervisor.deactivated"
    audit.record(actor, action, supervisor)
    db.session.flush()


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
