"""Supervisors of the generated city: the framework agreement, profiles and capacity.

Capacity is sized from the expected demand of the city (``params``), so that the pool
has some slack, as a tendered agreement would, and on-duty supervisors get room for
the slots they publish on top of their processes.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from lahti_dev import demo
from lahti_dev.scale import names, params
from lahti_dev.scale.params import Weighted

#: VAT in Finland rose from 24 % to 25.5 % on 1 September 2024; processes froze theirs
VAT_CHANGE = date(2024, 9, 1)
PRICES = Weighted(params.PRICES)
CAPACITY_WEIGHTS = Weighted({0.5: 2, 1.0: 4, 1.5: 3, 2.0: 2, 3.0: 1})


@dataclass(slots=True)
class Sup:
    """A supervisor as the simulation sees them (the row is written once, up front)."""

    id: int
    user_id: int
    name: str
    rank: int | None
    internal: bool
    price_individual: int
    price_group: int
    capacity: int  #: sessions per school year
    capacity_processes: int
    languages: frozenset[str]
    modes: tuple[str, ...]
    group: bool  #: takes group processes
    divisions: frozenset[int]
    conflicts: frozenset[int]  #: units never supervised: listed conflicts and their own
    first_year: int  #: index of the first school year of the contract
    last_year: int
    #: on-duty pattern: (weekdays, hours, mode), or None
    on_duty: tuple | None = None
    #: share of the school weeks in which the pattern is published
    slot_weeks: float = 1.0
    absences: list[tuple[date, date]] = field(default_factory=list)

    def price(self, group: bool, year_index: int, years: int) -> int:
        """The price frozen by a process of the year: current prices, indexed back."""
        base = self.price_group if group else self.price_individual
        back = years - 1 - year_index
        return int(round(base * (1 - params.PRICE_INDEX) ** back / 50)) * 50

    def vat(self, accepted_on: date) -> Decimal:
        if self.internal:
            return Decimal("0.00")
        return Decimal("25.50") if accepted_on >= VAT_CHANGE else Decimal("24.00")


LANGUAGE_EXTRAS = (("en", 0.40), ("sv", 0.12), ("et", 0.01))
ON_DUTY_HOURS = (9, 10, 13, 14, 15)
#: school weeks a year in which on-duty slots are published
SLOT_WEEKS = 34


def _average(weights: dict) -> float:
    return sum(k * w for k, w in weights.items()) / sum(weights.values())


def expected_demand(active_staff: int) -> float:
    """Sessions a school year the city's processes need (on-duty slots come on top)."""
    accepted = params.REQUEST_OUTCOMES["accepted"] / sum(params.REQUEST_OUTCOMES.values())
    individual = params.INDIVIDUAL_RATE * _average(params.INDIVIDUAL_SESSIONS) * accepted
    group = (
        params.GROUP_MEMBER_RATE / _average(params.GROUP_SIZES) * _average(params.GROUP_SESSIONS)
    )
    return active_staff * (individual + group)


def _agreement(writer, ids, years) -> tuple[int, date, date]:
    starts_on = years[0].starts_on
    # Four years and two option years: it covers every generated school year.
    ends_on = starts_on.replace(year=starts_on.year + 6) - timedelta(days=1)
    agreement_id = ids.take("framework_agreements")
    writer.add(
        "framework_agreements",
        {
            "id": agreement_id,
            "name": f"Työnohjauspalvelut, puitesopimus {starts_on.year}–{ends_on.year}",
            "procurement_ref": names.AGREEMENT_REF,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "allocation_rule": "ranking",
            "vat_percent": Decimal("25.50"),
        },
    )
    return agreement_id, starts_on, ends_on


def _profile(rng, name: str, years: int, today: date) -> dict:
    first, last = name.split(" ", 1)
    return {
        "company_name": rng.choice(demo.COMPANY_FORMS).format(first=first, last=last),
        "qualifications": rng.choice(demo.QUALIFICATIONS),
        "bio": " ".join(
            (
                rng.choice(demo.BIO_OPENINGS).format(years=years, since=today.year - years),
                rng.choice(demo.BIO_BACKGROUNDS),
                rng.choice(demo.BIO_APPROACHES),
            )
        ),
    }


def _specs(rng, scale, years, known_user) -> list[dict]:
    """Who the supervisors are, before capacities are known (the known one first)."""
    n_internal = max(1, round(scale.supervisors * params.INTERNAL_SHARE))
    n_contracted = scale.supervisors - n_internal
    last = len(years) - 1
    specs = []
    for i in range(scale.supervisors):
        internal = i >= n_contracted
        spec = {"internal": internal, "rank": None if internal else i + 1, "first": 0, "last": last}
        if i == 0:
            spec |= {"user_id": known_user, "weight": 3.0, "on_duty": ((1, 3), (9, 14), "video")}
        else:
            spec["weight"] = CAPACITY_WEIGHTS(rng) * (0.4 if internal else 1.0)
            if internal and rng.random() < 0.3:
                spec["first"] = min(2, last)
            if not internal and rng.random() < params.ENDED_SHARE and last >= 3:
                spec["last"] = rng.choice((1, 2))
            if not internal and rng.random() < params.ON_DUTY_SUPERVISORS:
                days = tuple(sorted(rng.sample(range(5), rng.choice((1, 2, 2, 3)))))
                hours = tuple(sorted(rng.sample(ON_DUTY_HOURS, rng.choice((2, 3, 3, 4)))))
                spec["on_duty"] = (days, hours, "video" if rng.random() < 0.8 else "phone")
        specs.append(spec)
    return specs


def build_supervisors(
    rng, scale, writer, ids, people, years, today, known_user, staff_share, units
) -> list[Sup]:
    """Write the agreement and the supervisors (users, profiles, divisions, conflicts)."""
    agreement_id, agreement_start, agreement_end = _agreement(writer, ids, years)
    specs = _specs(rng, scale, years, known_user)
    per_weight = (
        expected_demand(sum(staff_share.values()))
        * params.CAPACITY_SLACK
        / sum(s["weight"] for s in specs)
    )
    pattern_slots = sum(
        len(s["on_duty"][0]) * len(s["on_duty"][1]) * SLOT_WEEKS for s in specs if "on_duty" in s
    )
    slot_weeks = min(
        1.0, sum(staff_share.values()) * params.SLOTS_PER_STAFF / max(pattern_slots, 1)
    )
    pick_division = Weighted({d: n for d, n in staff_share.items() if n} or staff_share)
    offices = [u[0] for u in units if u[3] == "office"] or [u[0] for u in units]
    unit_division = {u[0]: u[1] for u in units}
    supervisors = []
    for spec in specs:
        internal, on_duty = spec["internal"], spec.get("on_duty")
        ended = spec["last"] < len(years) - 1
        own_unit = rng.choice(offices) if internal else 0
        if "user_id" in spec:  # the known supervisor: every division, every language
            name, user_id = names.KNOWN["supervisor"][0], spec["user_id"]
            divisions = list(staff_share)
            languages, modes, group = ["fi", "en", "sv"], ["on_site", "video", "phone"], True
        else:
            name = people.name()
            domain = names.DOMAIN if internal else names.SUPERVISOR_DOMAIN
            title = "Työnohjaaja (sisäinen)" if internal else "Työnohjaaja"
            user_id = people.add(
                people.email(name, domain), name, title, own_unit, "supervisor", not ended
            )
            first = unit_division[own_unit] if internal else pick_division(rng)
            extra = [d for d in staff_share if d != first and rng.random() < 0.3]
            divisions = [first] + ([] if internal else extra[:2])
            languages = ["fi"] + [lang for lang, p in LANGUAGE_EXTRAS if rng.random() < p]
            if rng.random() < 0.85:
                modes = ["on_site", "video"] + (["phone"] if rng.random() < 0.4 else [])
            else:
                modes = ["video", "phone"]
            group = rng.random() < 0.8
        slots = len(on_duty[0]) * len(on_duty[1]) * SLOT_WEEKS * slot_weeks if on_duty else 0
        capacity = max(30, -(-int(per_weight * spec["weight"] + slots) // 10) * 10)
        price = 0 if internal else PRICES(rng)
        listed = [rng.choice(offices)] if rng.random() < 0.1 and "user_id" not in spec else []
        sup = Sup(
            id=ids.take("supervisors"),
            user_id=user_id,
            name=name,
            rank=spec["rank"],
            internal=internal,
            price_individual=price,
            price_group=price + rng.choice((3000, 4000, 5000)) if price else 0,
            capacity=capacity,
            capacity_processes=max(4, capacity // 6),
            languages=frozenset(languages),
            modes=tuple(modes),
            group=group,
            divisions=frozenset(divisions),
            conflicts=frozenset(listed + ([own_unit] if own_unit else [])),
            first_year=spec["first"],
            last_year=spec["last"],
            on_duty=on_duty,
            slot_weeks=slot_weeks,
        )
        years_active = rng.randint(4, 25)
        writer.add(
            "supervisors",
            {
                "id": sup.id,
                "user_id": user_id,
                "kind": "internal" if internal else "contracted",
                "agreement_id": None if internal else agreement_id,
                "rank": sup.rank,
                "business_id": "" if internal else demo.business_id(2_400_000 + sup.id * 7919),
                "contract_starts_on": (years[sup.first_year].starts_on if sup.first_year else None)
                if internal
                else agreement_start,
                "contract_ends_on": (
                    None if internal else (years[sup.last_year].ends_on if ended else agreement_end)
                ),
                "price_individual_cents": sup.price_individual,
                "price_group_cents": sup.price_group,
                "capacity_sessions": sup.capacity,
                "capacity_processes": sup.capacity_processes,
                "active_processes": 0,
                "active": not ended,
                "languages": languages,
                "modes": modes,
                "kinds": ["individual", "group"] if group else ["individual"],
                "areas": sorted(rng.sample(names.AREAS, rng.randint(1, 3))),
                **_profile(rng, name, years_active, today),
            }
            | ({"company_name": ""} if internal else {}),
        )
        for division_id in divisions:
            writer.add(
                "supervisor_divisions", {"supervisor_id": sup.id, "division_id": division_id}
            )
        for unit_id in listed:
            writer.add("supervisor_conflicts", {"supervisor_id": sup.id, "unit_id": unit_id})
        if on_duty and not ended and rng.random() < 0.06:
            _absence(writer, ids, sup, today)
        supervisors.append(sup)
    return supervisors


def _absence(writer, ids, sup: Sup, today: date) -> None:
    """A few days away in the coming weeks: the published slots skip them."""
    starts_on = today + timedelta(days=7)
    sup.absences.append((starts_on, starts_on + timedelta(days=3)))
    writer.add(
        "supervisor_absences",
        {
            "id": ids.take("supervisor_absences"),
            "supervisor_id": sup.id,
            "starts_on": starts_on,
            "ends_on": starts_on + timedelta(days=3),
        },
    )
