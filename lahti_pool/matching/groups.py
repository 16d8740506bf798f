"""The Lahti fallback: offer group supervision to requests individual capacity could not serve.

Pure and deterministic. Unmatched individual requests are grouped per division, oldest first:
first by (language, area), then what is left over per language; a bucket of n requests becomes
ceil(n / max_size) groups of nearly equal size, and fewer than ``min_size`` stay ungrouped.
Languages are never mixed. A group's modes are those all members accept (every mode any member
accepts if they share none); it starts on the members' latest start date.

A group runs ``min(group_sessions, fewest sessions any member asked for)`` sessions: each group
session uses one session of every attending member's quota, and a process may not grant more
than was asked. The group goes to the best-ranked supervisor who takes groups, is eligible for
every member and has that many free sessions and a free process; otherwise it is not offered.
Capacity the matching proposal already assigns is not free.
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lahti_pool.matching.eligibility import (
    Proposal,
    RequestIn,
    SupervisorIn,
    age_key,
    check_eligibility,
)


@dataclass(frozen=True)
class GroupProposal:
    request_ids: tuple[int, ...]  #: oldest first
    supervisor_id: int
    division_id: int
    language: str
    area: str  #: "" when members come from several areas
    sessions: int
    cost_cents: int  #: group price times sessions, before the cost is shared


def _chunks(members: list[RequestIn], max_size: int) -> list[list[RequestIn]]:
    count = math.ceil(len(members) / max_size)
    size, extra = divmod(len(members), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(members[start:end])
        start = end
    return out


def propose_groups(
    requests: Sequence[RequestIn],
    supervisors: Sequence[SupervisorIn],
    proposal: Proposal | None = None,
    *,
    min_size: int = 3,
    max_size: int = 12,
    group_sessions: int = 6,
) -> list[GroupProposal]:
    """Groups of ``min_size``–``max_size`` individual requests, each with a supervisor.

    Capacity is what the supervisors have free less what ``proposal`` (if given) assigns.
    Requests in no group are simply absent from the result.
    """
    free = {s.id: [s.free_sessions, s.free_processes] for s in supervisors}
    for assignment in proposal.assignments if proposal else ():
        free[assignment.supervisor_id][0] -= assignment.sessions
        free[assignment.supervisor_id][1] -= 1
    ranked = sorted(supervisors, key=lambda s: (s.rank, s.id))
    by_age = sorted((r for r in requests if r.kind == "individual"), key=age_key)
    buckets: dict[tuple, list[RequestIn]] = defaultdict(list)
    for req in by_age:
        buckets[(req.division_id, req.language, req.area)].append(req)
    groups: list[GroupProposal] = []
    leftover: dict[tuple, list[RequestIn]] = defaultdict(list)
    for (division, language, area), members in sorted(buckets.items()):
        if len(members) < min_size:
            leftover[(division, language)].extend(members)
            continue
        for chunk in _chunks(members, max_size):
            if not _place(chunk, area, ranked, free, group_sessions, groups):
                leftover[(division, language)].extend(chunk)
    for _key, members in sorted(leftover.items()):
        if len(members) < min_size:
            continue
        members.sort(key=age_key)
        for chunk in _chunks(members, max_size):
            areas = {m.area for m in chunk}
            area = areas.pop() if len(areas) == 1 else ""
            _place(chunk, area, ranked, free, group_sessions, groups)
    return groups


def _place(chunk, area, ranked, free, group_sessions, groups) -> bool:
    sessions = min(group_sessions, *(m.sessions for m in chunk))
    modes = frozenset.intersection(*(m.modes for m in chunk)) or frozenset.union(
        *(m.modes for m in chunk)
    )
    start = max(m.start_date for m in chunk)
    as_group = [
        replace(m, kind="group", modes=modes, start_date=start, sessions=sessions) for m in chunk
    ]
    for sup in ranked:
        fs, fp = free[sup.id]
        if all(check_eligibility(m, sup, fs, fp) is None for m in as_group):
            free[sup.id] = [fs - sessions, fp - 1]
            groups.append(
                GroupProposal(
                    request_ids=tuple(m.id for m in chunk),
                    supervisor_id=sup.id,
                    division_id=chunk[0].division_id,
                    language=chunk[0].language,
                    area=area,
                    sessions=sessions,
                    cost_cents=sup.price_group_cents * sessions,
                )
            )
            return True
    return False
