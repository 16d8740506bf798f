"""Placing a year's orders with supervisors, as the matching engine would have.

Eligibility follows DOMAIN.md (contract valid in the year, serves the division, takes
the kind, speaks the language, a mode in common, no conflict of interest, free
capacity); the rule is drawn from ``params.RULES`` with ranking, the agreement's
default, most often. Capacity is taken as sessions are granted, so no supervisor's
load can pass their contracted sessions.
"""

import random

from lahti_dev.scale import params
from lahti_dev.scale.city import Sup
from lahti_dev.scale.context import YearState
from lahti_dev.scale.params import Weighted

RULES = Weighted(params.RULES)
#: at most this many passed-over supervisors are kept in a process's grounds
MAX_GROUNDS = 3


class Allocator:
    def __init__(self, state: YearState) -> None:
        self.state = state
        index = state.year.index
        self.supervisors = [
            s for s in state.run.city.supervisors if s.first_year <= index <= s.last_year
        ]
        # Ranked (contracted) first in the agreement's order, then internal supervisors.
        self.supervisors.sort(key=lambda s: (s.rank is None, s.rank or 0, s.id))
        self.by_division: dict[int, list[Sup]] = {}
        for sup in self.supervisors:
            for division in sup.divisions:
                self.by_division.setdefault(division, []).append(sup)
        self.start = dict.fromkeys(self.by_division, 0)
        #: free process places, checked only when proposing the current queue
        self.places: dict[int, int] | None = None

    def reason(self, sup: Sup, req, group: bool, sessions: int) -> str | None:
        """Why ``sup`` cannot take the order (an eligibility Reason value), or None."""
        if group and not sup.group:
            return "kind"
        if req.language not in sup.languages:
            return "language"
        if not set(req.modes).intersection(sup.modes):
            return "mode"
        if req.units & sup.conflicts:
            return "conflict"
        if self.state.free.get(sup.id, 0) < sessions:
            return "capacity"
        if self.places is not None and self.places.get(sup.id, 0) < 1:
            return "capacity"
        return None

    def _ranking(self, req, group, sessions) -> tuple[Sup | None, list[dict]]:
        candidates = self.by_division.get(req.division, [])
        start = self.start.get(req.division, 0)
        # Supervisors with less than the smallest order left are passed for good.
        while start < len(candidates) and self.state.free.get(candidates[start].id, 0) < 3:
            start += 1
        self.start[req.division] = start
        grounds = []
        for sup in candidates[start:]:
            why = self.reason(sup, req, group, sessions)
            if why is None:
                return sup, grounds[-MAX_GROUNDS:]
            if sup.rank is not None:
                grounds.append(
                    {"supervisor_id": sup.id, "name": sup.name, "rank": sup.rank, "reason": why}
                )
        return None, []

    def _sample(self, req, group, sessions, rng: random.Random) -> list[Sup]:
        candidates = self.by_division.get(req.division, [])
        picked = rng.sample(candidates, min(8, len(candidates)))
        return [s for s in picked if self.reason(s, req, group, sessions) is None]

    def choose(self, req, group: bool, sessions: int) -> tuple[Sup, str, list[dict]] | None:
        """A supervisor for the order, the rule applied and the grounds; None if nobody."""
        rng = self.state.rng
        rule = RULES(rng)
        sup = None
        if rule == "continuity":
            previous = self.state.run.previous.get(req.requester)
            for s in self.by_division.get(req.division, []):
                if s.id == previous and self.reason(s, req, group, sessions) is None:
                    sup = s
            req.continue_previous = previous is not None
        elif rule == "preferred":
            candidates = self.by_division.get(req.division, [])
            if candidates:
                wish = rng.choice(candidates)
                req.preferred = wish.id
                if self.reason(wish, req, group, sessions) is None:
                    sup = wish
        elif rule in ("client_choice", "balanced"):
            fitting = self._sample(req, group, sessions, rng)
            if fitting and rule == "balanced":
                sup = max(fitting, key=lambda s: self.state.free[s.id] / max(s.capacity, 1))
            elif fitting:
                sup = rng.choice(fitting)
        grounds: list[dict] = []
        if sup is None:
            rule = "ranking"
            sup, grounds = self._ranking(req, group, sessions)
        if sup is None:
            return None
        self.state.free[sup.id] -= sessions
        if self.places is not None:
            self.places[sup.id] -= 1
        return sup, rule, grounds
