"""How big the generated city is, and the proportions that make it look real.

Every count scales linearly with ``factor`` (1.0 is the issue's city: about 50,000
staff in 1,500 units and 6 divisions, 500 supervisors and a million sessions over
five school years), with minimums so that a tiny factor still yields every kind of
object. The rates are per active staff member and school year; they were chosen so
that the quota (10 sessions a year) is used by about half on average, as a pool
with a waiting list would see, and tuned against the issue's target counts.
"""

import random
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

#: school years generated: four complete ones and the current one
YEARS = 5
#: sessions per person and school year (DOMAIN.md "Quota")
QUOTA = 10

# --- Staff and their wishes, per active staff member and school year -------------------

#: individual requests
INDIVIDUAL_RATE = 0.66
#: share of staff named in a group request (team supervision; the organiser included)
GROUP_MEMBER_RATE = 0.35
#: share of staff who have left the city (inactive accounts, history only)
INACTIVE_SHARE = 0.03

#: sessions asked for in an individual request, with weights
INDIVIDUAL_SESSIONS = {3: 4, 4: 6, 5: 12, 6: 20, 7: 8, 8: 22, 10: 28}
#: sessions asked for (per member) in a group request
GROUP_SESSIONS = {4: 10, 5: 15, 6: 25, 8: 30, 10: 20}
#: members of a group request, the organiser included (3–12 allowed)
GROUP_SIZES = {3: 8, 4: 16, 5: 20, 6: 20, 7: 14, 8: 10, 9: 5, 10: 4, 12: 3}
#: a group drawn from several units of one division / several divisions (the Harju model)
CROSS_UNIT_SHARE = 0.20
CROSS_DIVISION_SHARE = 0.10

#: what becomes of a request: accepted, withdrawn by the requester, declined by the
#: administrator, or (individual only) formed into a Lahti-fallback group
REQUEST_OUTCOMES = {"accepted": 88, "withdrawn": 6, "declined": 3, "fallback": 3}
#: a member named in a group request says no
MEMBER_DECLINES = 0.05
#: a granted process gets fewer sessions than asked
SMALLER_GRANT = 0.12
#: how the supervisor was chosen: (rule, weight); ranking is the agreement's default
RULES = {"ranking": 62, "client_choice": 14, "continuity": 12, "preferred": 6, "balanced": 6}

# --- Sessions -----------------------------------------------------------------------------

#: outcome of a supervision session and its weight (DOMAIN.md "Sessions, money and budget")
OUTCOMES = {
    "held": 880,
    "no_show": 20,
    "late_cancelled": 20,
    "cancelled": 50,
    "cancelled_by_supervisor": 30,
}
#: a member of a group is absent from a held group session
GROUP_ABSENCE = 0.12
#: a process is closed before all its sessions are used
EARLY_CLOSE = 0.08
#: groups that also meet for covision (peer sessions without a supervisor)
COVISION_GROUPS = 0.30
#: the client answers the feedback invitation after a held session
FEEDBACK_ANSWERED = 0.32
#: an answer has a (neutral, generated) comment
FEEDBACK_COMMENTED = 0.15

# --- On-duty slots (the Vantaa model) ------------------------------------------------

#: supervisors who publish on-duty slots
ON_DUTY_SUPERVISORS = 0.60
#: on-duty slots published a school year, per active staff member (the supervisors'
#: weekly patterns are thinned to this, so small cities do not drown in slots)
SLOTS_PER_STAFF = 1.4
#: a published slot is booked; slots go unused (DOMAIN.md)
SLOT_BOOKED = 0.70
#: outcome of a booked slot
SLOT_OUTCOMES = {
    "held": 84,
    "no_show": 4,
    "late_cancelled": 3,
    "cancelled": 7,
    "cancelled_by_supervisor": 2,
}
#: slots are published this many weeks ahead in the current year
SLOT_WEEKS_AHEAD = 4

# --- The current school year -----------------------------------------------------------

#: waiting requests left in the administrator's queue at factor 1 (bounded on purpose)
OPEN_REQUESTS = 400
#: coming sessions are planned at most this many days ahead
PLAN_AHEAD_DAYS = 42

# --- Supervisors ----------------------------------------------------------------------------

#: share of supervisors who are city employees (no price, no statement)
INTERNAL_SHARE = 0.08
#: contracted supervisors whose contract ended after the first years (inactive now)
ENDED_SHARE = 0.05
#: contracted capacity over the expected demand
CAPACITY_SLACK = 1.0
#: price per individual session in cents without VAT, and weights (the agreement's prices)
PRICES = {8500: 10, 9000: 16, 9500: 20, 9800: 18, 10500: 16, 11000: 12, 12000: 8}
#: yearly price index: older processes froze lower prices
PRICE_INDEX = 0.03


@dataclass(frozen=True)
class Scale:
    """Counts of the static city for one ``factor``."""

    factor: float
    divisions: int
    units: int
    staff: int
    supervisors: int
    admins: int
    reports_users: int
    open_requests: int

    @classmethod
    def of(cls, factor: float) -> "Scale":
        if not 0 < factor <= 10:
            raise ValueError("factor must be above 0 and at most 10")

        def scaled(n: float, minimum: int) -> int:
            return max(minimum, round(n * factor))

        return cls(
            factor=factor,
            divisions=scaled(6, 2),
            units=scaled(1500, 3),
            staff=scaled(50_000, 40),
            supervisors=scaled(500, 5),
            admins=scaled(4, 1),
            reports_users=scaled(2, 1),
            open_requests=scaled(OPEN_REQUESTS, 4),
        )


class Weighted:
    """A weighted choice drawn with a caller's ``random.Random`` (cumulative weights, once)."""

    def __init__(self, weights: dict) -> None:
        self.values = list(weights)
        self.cum = list(accumulate(weights.values()))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect_right(self.cum, rng.random() * self.total)]
