"""A themed network's discussion board: members post and reply, the coordinator hides or
removes a post with a reason. Where the administrator has set the network's
``board_url`` (the city's own discussion platform), the board is a link there instead and
nothing is posted here.

Posts are Markdown rendered as the service pages are (service_pages/render.py: raw HTML
off, images off, only safe link schemes), then cleaned once more by nh3 with an allow-list
of tags: a post is written by any member and read by all of them.
"""

from datetime import datetime

import nh3
from markupsafe import Markup
from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.networks import rules
from lahti_pool.networks.models import BoardPost, PeerNetwork, PostStatus
from lahti_pool.networks.services import is_coordinator, is_member
from lahti_pool.service_pages.render import render as render_markdown

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}}


def render_post(body: str) -> Markup:
    """A post's Markdown as safe HTML; headings start at level 3 under the page's own."""
    html = str(render_markdown(body))
    for level in (2, 1):  # a post's "# Title" must not outrank the page's headings
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704  # nosec B704 - cleaned by nh3 just above


def can_read(user: User, network: PeerNetwork) -> bool:
    return is_member(user, network) or is_coordinator(user, network)


def _check_open(network: PeerNetwork) -> None:
    if network.board_url:
        raise InvalidTransition(N_("This network talks on the city's own platform."))


def post(
    actor: User, network: PeerNetwork, body: str, now: datetime, parent_id: int | None = None
) -> BoardPost:
    _check_open(network)
    if not network.is_themed:
        raise DomainError(N_("Only a themed network has a board."))
    if not can_read(actor, network):
        raise NotPermitted(N_("Join the network to post on its board."))
    text = rules.check_post(body)
    if parent_id is not None:
        parent = db.session.get(BoardPost, parent_id)
        if parent is None or parent.network_id != network.id or parent.parent_id is not None:
            raise DomainError(N_("Reply to a post on this board."), field="body")
        if parent.status != PostStatus.VISIBLE:
            raise InvalidTransition(N_("This post has been moderated; it takes no replies."))
    row = BoardPost(
        network_id=network.id, author_id=actor.id, body=text, parent_id=parent_id, created_at=now
    )
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "network.posted", row)
    return row


def _check_coordinator(actor: User, row: BoardPost) -> None:
    if not is_coordinator(actor, db.session.get(PeerNetwork, row.network_id)):
        raise NotPermitted(N_("Only the network's coordinator moderates the board."))


def hide(actor: User, row: BoardPost, reason: str) -> None:
    """Hide a post from the members with a reason they see; the text is kept for the
    coordinator until the post is removed."""
    _check_coordinator(actor, row)
    reason = rules.check_reason(reason)
    if row.status != PostStatus.VISIBLE:
        raise InvalidTransition(N_("The post has been moderated already."))
    row.status, row.moderation_reason = PostStatus.HIDDEN, reason
    db.session.flush()
    # the reason is the coordinator's own words about the post, not its text
    audit.record(actor, "network.post_hidden", row)


def remove(actor: User, row: BoardPost) -> None:
    """Delete a hidden post's text for good; the reason it was hidden stays shown."""
    _check_coordinator(actor, row)
    if row.status != PostStatus.HIDDEN:
        raise InvalidTransition(N_("Hide the post first; a hidden post can be removed."))
    row.status, row.body = PostStatus.REMOVED, ""
    db.session.flush()
    audit.record(actor, "network.post_removed", row)


def threads(network: PeerNetwork, limit: int = 50) -> list[tuple[BoardPost, list[BoardPost]]]:
    """The newest posts with their replies (oldest reply first)."""
    posts = db.session.scalars(
        select(BoardPost)
        .where(BoardPost.network_id == network.id, BoardPost.parent_id.is_(None))
        .order_by(BoardPost.created_at.desc(), BoardPost.id.desc())
        .limit(limit)
    ).all()
    replies: dict[int, list[BoardPost]] = {p.id: [] for p in posts}
    if posts:
        for reply in db.session.scalars(
            select(BoardPost)
            .where(BoardPost.parent_id.in_(list(replies)))
            .order_by(BoardPost.created_at, BoardPost.id)
        ):
            replies[reply.parent_id].append(reply)
    return [(p, replies[p.id]) for p in posts]
