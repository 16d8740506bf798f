"""Rotating hosts fairly across organisations (Harju county practice): pure.

The meetings of a cross-organisation group, or of a covision circle, move between the
members' organisations; within an organisation, between its members. Each meeting goes
to the organisation that has hosted least (counting earlier meetings too), then to its
member who has hosted least; ties go to the order the candidates were given in, so the
same input always gives the same plan.
"""

from collections import Counter


def fair_rotation(
    candidates: list[tuple[int, int | None]],
    meetings: int,
    hosted_before: dict[int, int] | None = None,
) -> list[int]:
    """The host (a user id) of each of ``meetings`` meetings, in order.

    ``candidates`` are (user id, organisation id or None for the city), in the order ties
    go; ``hosted_before`` counts the meetings each user has already hosted.
    """
    if meetings <= 0 or not candidates:
        return []
    by_user: Counter[int] = Counter(hosted_before or {})
    by_org: Counter[int | None] = Counter()
    orgs: list[int | None] = []
    for user_id, org_id in candidates:
        by_org[org_id] += by_user[user_id]
        if org_id not in orgs:
            orgs.append(org_id)
    plan: list[int] = []
    for _ in range(meetings):
        org = min(orgs, key=lambda o: (by_org[o], orgs.index(o)))
        members = [u for u, o in candidates if o == org]
        host = min(members, key=lambda u: (by_user[u], members.index(u)))
        plan.append(host)
        by_user[host] += 1
        by_org[org] += 1
    return plan
