"""The static city: divisions, units, people, the framework agreement, supervisors."""

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from lahti_dev import demo
from lahti_dev.scale import names, params
from lahti_dev.scale.calendar import Year, local
from lahti_dev.scale.params import Weighted
from lahti_dev.scale.supervisors import Sup, build_supervisors
from lahti_dev.scale.writer import BulkWriter, Ids
from lahti_pool.accounts.models import Role
from lahti_pool.organisation.job_groups import job_group_for
from lahti_pool.organisation.models import UnitKind


@dataclass
class City:
    years: list[Year]
    division_codes: dict[int, str]
    unit_names: list[str]  #: by unit id
    unit_division: list[int]  #: by unit id
    units_by_division: dict[int, list[int]]
    staff_by_unit: dict[int, list[int]]  #: every staff member, by unit
    user_unit: list[int]  #: by user id; 0 when none
    staff: list[int]  #: every staff member but the known one
    active: bytearray  #: by user id
    admins: list[int]
    known: dict[str, int]
    supervisors: list[Sup]
    questions: list[tuple[int, str]]

    def division_of(self, user_id: int) -> int:
        return self.unit_division[self.user_unit[user_id]]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch in ".-")


class _People:
    """Names, unique e-mail addresses and user rows."""

    def __init__(self, rng, writer: BulkWriter, ids: Ids, password_hash: str, created) -> None:
        self.rng, self.writer, self.ids = rng, writer, ids
        self.password_hash, self.created = password_hash, created
        self.taken: dict[str, int] = {}
        #: each user's unit by user id (ids are handed out here, one by one from 1)
        self.unit_of = [0]
        self.active = bytearray([1])

    def name(self) -> str:
        first = self.rng.choice(demo.FEMALE_NAMES if self.rng.random() < 0.72 else demo.MALE_NAMES)
        return f"{first} {self.rng.choice(demo.SURNAMES)}"

    def email(self, name: str, domain: str) -> str:
        first, last = name.split(" ", 1)
        base = f"{_ascii(first)}.{_ascii(last.replace(' ', '-'))}"
        n = self.taken[base] = self.taken.get(base, 0) + 1
        return f"{base}{n if n > 1 else ''}@{domain}"

    def add(self, email, name, title, unit_id, role, active=True) -> int:
        user_id = self.ids.take("users")
        self.unit_of.append(unit_id or 0)
        self.active.append(1 if active else 0)
        roll = self.rng.random()
        self.writer.add(
            "users",
            {
                "id": user_id,
                "email": email,
                "name": name,
                "password_hash": self.password_hash,
                "active": active,
                "job_title": title,
                "job_group": job_group_for(title).value,
                "unit_id": unit_id or None,
                "locale": "en" if roll < 0.03 else ("" if roll < 0.05 else "fi"),
                "session_version": 1,
                "created_at": self.created,
                "weekly_digest": self.rng.random() < 0.85,
            },
        )
        self.writer.add(
            "user_roles", {"id": self.ids.take("user_roles"), "user_id": user_id, "role": role}
        )
        return user_id


def _divisions(scale, writer, ids):
    """Division ids with their spec; beyond six, the list repeats with numbered codes."""
    made = []
    for i in range(scale.divisions):
        code, name_fi, name_en, prefix, share, kinds = names.DIVISIONS[i % len(names.DIVISIONS)]
        round_no = i // len(names.DIVISIONS)
        if round_no:
            code, prefix = str(int(code) + round_no), f"{prefix}{round_no}"
            name_fi, name_en = f"{name_fi} {round_no + 1}", f"{name_en} {round_no + 1}"
        division_id = ids.take("divisions")
        writer.add(
            "divisions", {"id": division_id, "code": code, "name_fi": name_fi, "name_en": name_en}
        )
        made.append((division_id, code, prefix, share, kinds))
    return made


def _units(rng, scale, writer, ids, divisions):
    """Units with their kind and a size weight; every division gets at least one."""
    total_share = sum(d[3] for d in divisions)
    counts = [max(1, round(scale.units * d[3] / total_share)) for d in divisions]
    counts[0] += scale.units - sum(counts) if scale.units > sum(counts) else 0
    units, seen = [], Counter()
    for (division_id, code, prefix, _share, kinds), count in zip(divisions, counts, strict=True):
        pick = Weighted(kinds)
        for n in range(1, count + 1):
            # The first unit of each division is its biggest kind (a school in basic education).
            kind = max(kinds, key=kinds.get) if n == 1 else pick(rng)
            word = names.UNIT_WORDS.get((code[:3] + "0", kind), "palvelut")
            base = f"{rng.choice(names.PLACES)} {word}"
            seen[base] += 1
            name = base if seen[base] == 1 else f"{base} {seen[base]}"
            unit_id = ids.take("units")
            writer.add(
                "units",
                {
                    "id": unit_id,
                    "code": f"{prefix}{n:04d}",
                    "name": name,
                    "kind": kind.value,
                    "area": rng.choice(names.AREAS),
                    "division_id": division_id,
                },
            )
            weight = names.UNIT_SIZES[kind] * rng.uniform(0.5, 1.5)
            units.append((unit_id, division_id, code[:3] + "0", kind, weight, name))
    return units


def _titles(division_code: str, kind: UnitKind) -> list[tuple[str, int]]:
    key = (division_code, kind)
    return demo.JOB_TITLES.get(key) or names.EXTRA_JOB_TITLES.get(key) or names.GENERIC_JOB_TITLES


def _staff_counts(total: int, units) -> list[int]:
    """Staff per unit in proportion to the unit weights, adding up exactly (largest remainder)."""
    weight = sum(u[4] for u in units)
    exact = [total * u[4] / weight for u in units]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(units)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def build_city(rng, scale, writer, ids, years, password_hash, today, questions) -> City:
    """Write the static city and return what the simulation needs to know about it."""
    for year in years:
        writer.add(
            "school_years",
            {
                "id": year.id,
                "starts_on": year.starts_on,
                "ends_on": year.ends_on,
                "quota": params.QUOTA,
            },
        )
    divisions = _divisions(scale, writer, ids)
    units = _units(rng, scale, writer, ids, divisions)
    unit_division = [0] * (len(units) + 1)
    units_by_division: dict[int, list[int]] = {d[0]: [] for d in divisions}
    for unit_id, division_id, *_ in units:
        unit_division[unit_id] = division_id
        units_by_division[division_id].append(unit_id)
    first_unit = units[0][0]
    office = next(
        (u[0] for u in units if u[1] == divisions[0][0] and u[3] == UnitKind.OFFICE), first_unit
    )
    people = _People(rng, writer, ids, password_hash, local(years[0].starts_on, 9) - timedelta(20))
    known = {}
    for login, unit_id, role in (
        ("admin", office, Role.ADMIN),
        ("reports", office, Role.REPORTS),
        ("staff", first_unit, Role.STAFF),
        ("supervisor", 0, Role.SUPERVISOR),
    ):
        name, title = names.KNOWN[login]
        known[login] = people.add(f"{login}@{names.DOMAIN}", name, title, unit_id, role.value)
    admins = [known["admin"]]
    for role, count in ((Role.ADMIN, scale.admins), (Role.REPORTS, scale.reports_users)):
        for _ in range(count - 1):
            name = people.name()
            title = names.KNOWN[role.value][1]
            user_id = people.add(people.email(name, names.DOMAIN), name, title, office, role.value)
            if role == Role.ADMIN:
                admins.append(user_id)

    staff_by_unit: dict[int, list[int]] = {u[0]: [] for u in units}
    staff_by_unit[first_unit].append(known["staff"])
    staff: list[int] = []
    for (unit_id, _division_id, code, kind, _w, _name), count in zip(
        units, _staff_counts(scale.staff - 1, units), strict=True
    ):
        titles = _titles(code, kind)
        pick = Weighted({t: w for t, w in titles if w})
        for n in range(count):
            title = titles[0][0] if n == 0 else pick(rng)
            name = people.name()
            active = rng.random() >= params.INACTIVE_SHARE
            email = people.email(name, names.DOMAIN)
            user_id = people.add(email, name, title, unit_id, Role.STAFF.value, active)
            staff_by_unit[unit_id].append(user_id)
            staff.append(user_id)
    staff_share = {d[0]: 0 for d in divisions}
    for unit_id, members in staff_by_unit.items():
        staff_share[unit_division[unit_id]] += len(members)
    supervisors = build_supervisors(
        rng, scale, writer, ids, people, years, today, known["supervisor"], staff_share, units
    )
    return City(
        years=years,
        division_codes={d[0]: d[1] for d in divisions},
        unit_names=[""] + [u[5] for u in units],
        unit_division=unit_division,
        units_by_division=units_by_division,
        staff_by_unit=staff_by_unit,
        user_unit=people.unit_of,
        staff=staff,
        active=people.active,
        admins=admins,
        known=known,
        supervisors=supervisors,
        questions=questions,
    )
