"""Keeping the pool's staff in step with HR: new starters, changes and leavers.

Used by ``flask pool import-staff`` (a whole HR export: organisation/importer.py) and by
the SCIM endpoint (one person at a time: organisation/scim.py). docs/import-staff.md is
the administrator's guide.

* **The key is the staff number** (HR's employee number). A row whose number is not yet
  in the pool adopts the account with its e-mail address, if there is one.
* **Leavers** are the active accounts with a staff number that the export no longer
  lists. A leaver's open individual requests are withdrawn and open group invitations
  declined; their coming sessions are cancelled and on-duty bookings freed, through the
  same services a person uses (requests/services.py, sessions/services.py,
  slots/services/), and their supervisor is told. Sessions already held, and
  past sessions still to be logged, are kept as they are. Then the account is deactivated.
* Accounts without a staff number (supervisors, administrators, accounts made by hand)
  are never deactivated by a sync.
* Every change is one event in the log of use, with ids, codes and field names only.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.organisation import leavers
from lahti_pool.organisation.job_groups import job_group_for
from lahti_pool.organisation.models import Division, Unit, UnitKind

_CHUNK = 500


class ChangeKind(enum.StrEnum):
    NEW = "new"  #: a new starter: an account is created
    UPDATED = "updated"  #: unit, division, title, name or address changed
    RETURNED = "returned"  #: a deactivated person is back in HR's list
    LEAVER = "leaver"  #: no longer in HR's list: deactivated


@dataclass(frozen=True)
class Person:
    """One person as HR has them."""

    staff_number: str
    email: str  #: lower-case
    name: str
    job_title: str
    unit_code: str
    locale: str = ""
    line: int = 0  #: the CSV line, for messages


@dataclass
class PersonChange:
    kind: ChangeKind
    staff_number: str
    email: str
    user_id: int | None = None
    person: Person | None = None
    #: field -> (old, new), for updates
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class SyncPlan:
    changes: list[PersonChange]
    unchanged: int
    #: active accounts with a staff number before the sync
    active_with_number: int

    def of(self, kind: ChangeKind) -> list[PersonChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def leaver_share(self) -> float:
        leavers = len(self.of(ChangeKind.LEAVER))
        return leavers / self.active_with_number if self.active_with_number else 0.0


class SyncRefused(Exception):
    """The sync would do something an administrator must confirm or fix first."""


# --- Planning --------------------------------------------------------------------------


def _field_changes(user: User, person: Person, units: dict[str, Unit]) -> dict:
    unit = units.get(person.unit_code)
    old_unit = user.unit
    wanted = {
        "email": (user.email, person.email),
        "name": (user.name, person.name),
        "job_title": (user.job_title, person.job_title),
        "job_group": (str(user.job_group), str(job_group_for(person.job_title))),
        "unit": (old_unit.code if old_unit else "", person.unit_code),
        "division": (
            old_unit.division.code if old_unit else "",
            unit.division.code if unit else (old_unit.division.code if old_unit else ""),
        ),
    }
    return {k: v for k, v in wanted.items() if v[0] != v[1]}


def plan_sync(people: Sequence[Person], full: bool) -> SyncPlan:
    """What applying ``people`` would change. ``full``: people missing from it are leavers.

    Raises SyncRefused when a person's address belongs to somebody else in the pool.
    """
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    numbers = [p.staff_number for p in people if p.staff_number]
    by_number: dict[str, User] = {}
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        for user in db.session.scalars(select(User).where(User.staff_number.in_(chunk))):
            by_number[user.staff_number] = user
    by_email: dict[str, User] = {}
    emails = [p.email for p in people]
    for start in range(0, len(emails), _CHUNK):
        chunk = emails[start : start + _CHUNK]
        for user in db.session.scalars(select(User).where(func.lower(User.email).in_(chunk))):
            by_email[user.email.lower()] = user
    changes: list[PersonChange] = []
    unchanged = 0
    problems: list[str] = []
    for person in people:
        user = by_number.get(person.staff_number) if person.staff_number else None
        holder = by_email.get(person.email)
        if user is None:
            user = holder
            if user is not None and user.staff_number and user.staff_number != person.staff_number:
                problems.append(
                    f"line {person.line}: email {person.email!r} belongs to the person with "
                    f"staff number {user.staff_number!r} in the pool"
                )
                continue
        elif holder is not None and holder.id != user.id:
            problems.append(
                f"line {person.line}: email {person.email!r} belongs to another person in the pool"
            )
            continue
        if user is None:
            changes.append(
                PersonChange(ChangeKind.NEW, person.staff_number, person.email, person=person)
            )
            continue
        fields = _field_changes(user, person, units)
        if person.staff_number and user.staff_number != person.staff_number:
            fields["staff_number"] = (user.staff_number or "", person.staff_number)
        kind = ChangeKind.RETURNED if not user.is_active_account else ChangeKind.UPDATED
        if fields or kind == ChangeKind.RETURNED:
            changes.append(
                PersonChange(kind, person.staff_number, person.email, user.id, person, fields)
            )
        else:
            unchanged += 1
    if problems:
        raise SyncRefused("\n".join(problems))
    active_with_number = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.staff_number.is_not(None), User.is_active_account.is_(True))
    )
    if full:
        listed = set(numbers)
        leavers = db.session.execute(
            select(User.id, User.staff_number, User.email)
            .where(User.staff_number.is_not(None), User.is_active_account.is_(True))
            .order_by(User.staff_number)
        ).all()
        changes.extend(
            PersonChange(ChangeKind.LEAVER, number, email, user_id)
            for user_id, number, email in leavers
            if number not in listed
        )
    return SyncPlan(changes, unchanged, active_with_number or 0)


def check_leaver_share(plan: SyncPlan, max_share: float, force: bool) -> None:
    """Refuse a sync that would deactivate more than ``max_share`` of the active staff
    (a truncated export), unless forced."""
    leavers = len(plan.of(ChangeKind.LEAVER))
    if leavers and not force and plan.leaver_share > max_share:
        raise SyncRefused(
            f"The sync would deactivate {leavers} of {plan.active_with_number} active staff "
            f"members ({plan.leaver_share:.0%}), more than the {max_share:.0%} allowed "
            "(SYNC_MAX_DEACTIVATE_SHARE). Check the export; run again with --force if it is right."
        )


def describe(plan: SyncPlan) -> list[str]:
    """The difference, one line a change, for the dry run."""
    lines = []
    for change in plan.changes:
        who = f"{change.staff_number or '-'} {change.email}"
        if change.kind == ChangeKind.NEW:
            p = change.person
            lines.append(f"+ new      {who}: {p.name}, {p.job_title or '-'}, unit {p.unit_code}")
        elif change.kind == ChangeKind.LEAVER:
            lines.append(f"- leaver   {who}: deactivate, withdraw requests, free sessions")
        else:
            label = "returned" if change.kind == ChangeKind.RETURNED else "changed"
            what = ", ".join(f"{k} {old!r} -> {new!r}" for k, (old, new) in change.fields.items())
            lines.append(f"~ {label:<8} {who}: {what or 'reactivate'}")
    return lines


# --- Applying --------------------------------------------------------------------------


def _apply_person(user: User, person: Person, unit: Unit) -> None:
    user.email, user.name, user.job_title = person.email, person.name, person.job_title
    user.unit_id = unit.id
    user.job_group = job_group_for(person.job_title)
    if person.staff_number:
        user.staff_number = person.staff_number


def create_person(person: Person, unit: Unit) -> User:
    """A new starter: the staff role, no password (they sign in with the city account)."""
    user = User(
        email=person.email,
        name=person.name,
        job_title=person.job_title,
        unit_id=unit.id,
        locale=person.locale,
        staff_number=person.staff_number or None,
        job_group=job_group_for(person.job_title),
        password_hash=None,
        session_version=1,
    )
    user.set_roles({Role.STAFF})
    db.session.add(user)
    db.session.flush()
    audit.record(
        None, "staff.created", user, unit=unit.code, job_group=str(user.job_group), source="hr"
    )
    return user


def update_person(user: User, person: Person, unit: Unit, fields: dict | None = None) -> None:
    if fields is None:
        fields = _field_changes(user, person, {unit.code: unit})
    returned = not user.is_active_account
    _apply_person(user, person, unit)
    if returned:
        user.is_active_account = True
        audit.record(None, "staff.reactivated", user, source="hr")
    if fields:
        # codes and field names only: the log of use shows no names or addresses
        shown = {k: v for k, v in fields.items() if k in ("unit", "division", "job_group")}
        audit.record(None, "staff.updated", user, fields=sorted(fields), **shown, source="hr")


@dataclass(frozen=True)
class SyncSummary:
    created: int
    updated: int
    unchanged: int
    deactivated: int
    reactivated: int
    units_created: int
    withdrawn: int
    cancelled: int


def ensure_units(new_units) -> tuple[dict[str, Unit], int]:
    """The units by code, creating the export's new ones (kind other, no area)."""
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    divisions = {d.code: d for d in db.session.scalars(select(Division))}
    created = 0
    for spec in new_units:
        if spec.code not in units:
            units[spec.code] = Unit(
                code=spec.code,
                name=spec.name,
                kind=UnitKind.OTHER,
                division=divisions[spec.division_code],
            )
            db.session.add(units[spec.code])
            audit.record(None, "unit.created", None, code=spec.code, source="hr")
            created += 1
    db.session.flush()
    return units, created


def apply_sync(plan: SyncPlan, new_units, on_done=None, now: datetime | None = None) -> SyncSummary:
    """Write the plan; flushes, never commits (the caller commits all or nothing)."""
    now = now or utcnow()
    units, units_created = ensure_units(new_units)
    deactivated = reactivated = withdrawn = cancelled = 0
    for n, change in enumerate(plan.changes, start=1):
        if change.kind == ChangeKind.NEW:
            create_person(change.person, units[change.person.unit_code])
        elif change.kind == ChangeKind.LEAVER:
            result = leavers.deactivate_leaver(db.session.get(User, change.user_id), now)
            deactivated += 1
            withdrawn += result.withdrawn
            cancelled += result.cancelled
        else:
            user = db.session.get(User, change.user_id)
            reactivated += change.kind == ChangeKind.RETURNED
            update_person(user, change.person, units[change.person.unit_code], change.fields)
        if n % _CHUNK == 0:
            db.session.flush()
        if on_done is not None:
            on_done(1)
    summary = SyncSummary(
        created=len(plan.of(ChangeKind.NEW)),
        updated=len(plan.of(ChangeKind.UPDATED)),
        unchanged=plan.unchanged,
        deactivated=deactivated,
        reactivated=reactivated,
        units_created=units_created,
        withdrawn=withdrawn,
        cancelled=cancelled,
    )
    audit.record(
        None,
        "staff.imported",
        None,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        deactivated=deactivated,
        reactivated=reactivated,
        units_created=units_created,
    )
    db.session.flush()
    return summary
