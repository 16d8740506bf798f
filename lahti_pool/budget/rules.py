"""Budget arithmetic (DOMAIN.md "Sessions, money and budget"). Pure: integers in cents.

Committed = planned sessions × frozen price; spent = approved billable sessions ×
frozen price; a session counts in the fiscal year of its date; a group session's
cost is split between the divisions of its attending members in proportion to
attendance.
"""

from collections import Counter
from collections.abc import Hashable, Mapping


def split_cents(total: int, weights: Mapping[Hashable, int]) -> dict[Hashable, int]:
    """Split ``total`` cents in proportion to ``weights``; the parts add up exactly.

    Largest-remainder rounding: every part gets its floor, and the cents left over go
    to the largest remainders (ties by key order, so the result is deterministic).
    """
    if total < 0:
        raise ValueError("total must not be negative")
    weights = {k: w for k, w in weights.items() if w > 0}
    if not weights:
        return {}
    whole = sum(weights.values())
    parts = {k: total * w // whole for k, w in weights.items()}
    left = total - sum(parts.values())
    by_remainder = sorted(weights, key=lambda k: (-(total * weights[k] % whole), str(k)))
    for k in by_remainder[:left]:
        parts[k] += 1
    return parts


def division_weights(division_ids: list[int]) -> dict[int, int]:
    """How many of the attendees belong to each division."""
    return dict(Counter(division_ids))
