"""A group's cost key across organisations (issue 18, the Harju county practice). Pure.

A group whose members work for several employers (the city and guest organisations)
shares each session's price by the key chosen when the group is accepted:

* ``attendance`` (today's rule): in proportion to the attending members, per division;
* ``equal``: the same part for each organisation of the group, whoever attended;
* ``shares``: fixed percentages per organisation agreed between them, in basis points
  (1/100 of a per cent, so 100 % is 10,000), summing to exactly 100 %.

The price is split to the cent twice with the largest-remainder rule
(``rules.split_cents``): first between the organisations by the key, then inside each
organisation between its divisions by attendance (its members expected, when none of
them attended). Organisation keys are ints: ``CITY`` (0) for the city, else the guest
organisation's id.
"""

import enum
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from lahti_pool.budget.rules import division_weights, split_cents
from lahti_pool.core.errors import N_, DomainError

#: the city's key among a cost key's organisations (guest organisations: their id)
CITY = 0
#: 100 % in basis points
WHOLE = 10_000


class CostKey(enum.StrEnum):
    ATTENDANCE = "attendance"
    EQUAL = "equal"
    SHARES = "shares"


#: (organisation key, division id) of one person
Person = tuple[int, int]


def org_key(organisation_id: int | None) -> int:
    """The key of an organisation id as ``orgs.organisation_ids`` gives it (None: the city)."""
    return CITY if organisation_id is None else organisation_id


def parse_percent(text: str) -> int:
    """A percentage typed by a person ("33,34", "50", "12.5 %") in basis points.

    :raises DomainError: not a number, negative, or finer than 0.01 %
    """
    cleaned = (text or "").strip().rstrip("%").strip().replace(",", ".").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise DomainError(N_("Give each share as a percentage, for example 33,34."), field="shares")
    if value < 0:
        raise DomainError(N_("A share cannot be negative."), field="shares")
    points = value * 100
    if points != points.to_integral_value() or points > WHOLE:
        raise DomainError(
            N_("Give each share as a percentage from 0 to 100 with at most two decimals."),
            field="shares",
        )
    return int(points)


def check_key(key: str, shares: Mapping[int, int], organisations: set[int]) -> dict[int, int]:
    """The shares a key keeps (none but for ``shares``), or a DomainError.

    ``organisations`` are the group members' organisation keys. Fixed shares must name
    only those, none negative, and sum to exactly 100 %.
    """
    if key not in set(CostKey):
        raise DomainError(N_("Choose how the cost is shared."), field="cost_key")
    if key != CostKey.SHARES:
        return {}
    strangers = set(shares) - organisations
    if strangers:
        raise DomainError(
            N_("A share is given for an organisation that has no member in this group."),
            field="shares",
        )
    if any(points < 0 for points in shares.values()):
        raise DomainError(N_("A share cannot be negative."), field="shares")
    if sum(shares.values()) != WHOLE:
        raise DomainError(
            N_("The shares add up to %(sum)s %%; they must add up to exactly 100 %%."),
            field="shares",
            sum=format_points(sum(shares.values())),
        )
    return {org: points for org, points in sorted(shares.items())}


def format_points(points: int) -> str:
    """Basis points as a percentage without trailing zeros: 3334 → "33.34", 5000 → "50"."""
    value = Decimal(points) / 100
    return format(value.quantize(Decimal(1)) if value == value.to_integral() else value, "f")


def split_session(
    total: int,
    key: str,
    shares: Mapping[int, int],
    people: Sequence[Person],
    members: Sequence[Person],
) -> dict[int, int]:
    """Split ``total`` cents into parts per division; the parts add up exactly.

    ``people`` are those the session counts (its attendees, or the members expected);
    ``members`` all the group's members, who carry an organisation's part when none of
    its people came. An organisation with no member left in any division drops out of
    the key (its part goes to the others), so the whole price is always charged.
    """
    if key == CostKey.ATTENDANCE or not members:
        return split_cents(total, division_weights([d for _, d in people]))
    present = {org for org, _ in people}

    def divisions(org: int) -> list[int]:
        pool = people if org in present else members
        return [d for o, d in pool if o == org]

    organisations = sorted({org for org, _ in members})
    if key == CostKey.EQUAL:
        weights = dict.fromkeys(organisations, 1)
    else:
        weights = {org: shares.get(org, 0) for org in organisations}
    parts = split_cents(total, weights)
    out: dict[int, int] = {}
    for org, cents in sorted(parts.items()):
        for division, part in split_cents(cents, division_weights(divisions(org))).items():
            out[division] = out.get(division, 0) + part
    if total and not out:  # every share on organisations without members: today's rule
        return split_cents(total, division_weights([d for _, d in people]))
    return out


#: the name of a share's form field: "share-0" (the city), "share-7" (organisation 7)
SHARE_FIELD = "share-"


def shares_from_form(formdata: Mapping[str, str]) -> dict[int, int]:
    """The shares typed into ``share-<organisation key>`` fields, in basis points (empty
    fields left out); a field of no organisation is refused like a bad number."""
    out: dict[int, int] = {}
    for name in formdata:
        if not name.startswith(SHARE_FIELD):
            continue
        suffix = name.removeprefix(SHARE_FIELD)
        if not suffix.isdigit() or len(suffix) > 12:
            raise DomainError(
                N_("A share is given for an organisation that has no member in this group."),
                field="shares",
            )
        text = formdata.get(name) or ""
        if text.strip():
            out[int(suffix)] = parse_percent(text)
    return out
