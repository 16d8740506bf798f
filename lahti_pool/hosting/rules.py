"""The host's arrangements checklist and the plan's default venue: pure."""

#: what a host arranges before a group meeting, in the order they are done
ARRANGEMENTS = ("venue", "accessibility", "video", "refreshments", "directions")


def checklist(mode: str, has_video_link: bool) -> list[str]:
    """The host's arrangements for a meeting: the video item only when someone joins by
    video (a video meeting, or an on-site meeting with a video link: hybrid)."""
    joins_by_video = mode == "video" or has_video_link
    return [item for item in ARRANGEMENTS if item != "video" or joins_by_video]


def default_venue(
    current_venue_id: int | None, host_org_id: int | None, venues_by_org: dict
) -> int | None:
    """The venue a proposed row gets: the one already chosen, else the first venue of the
    host's guest organisation (the host arranges it), else none for the planner to pick."""
    if current_venue_id is not None:
        return current_venue_id
    if host_org_id is None:
        return None
    choices = venues_by_org.get(host_org_id) or []
    return choices[0] if choices else None
