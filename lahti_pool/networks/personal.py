"""A person's own peer network data, for their download (accounts/self_service.py)."""

from sqlalchemy import select

from lahti_pool.extensions import db
from lahti_pool.networks.models import BoardPost, EventRegistration, NetworkMember


def network_data(user) -> dict:
    """Memberships, event registrations with attendance, and the person's own posts."""
    return {
        "memberships": [
            {
                "network": m.network.name,
                "joined_at": m.joined_at.isoformat(),
                "left_at": m.left_at.isoformat() if m.left_at else None,
            }
            for m in db.session.scalars(
                select(NetworkMember).where(NetworkMember.user_id == user.id)
            )
        ],
        "event_registrations": [
            {
                "event": r.event.title,
                "starts_at": r.event.starts_at.isoformat(),
                "status": r.status.value,
                "attended": r.attended,
            }
            for r in db.session.scalars(
                select(EventRegistration).where(EventRegistration.user_id == user.id)
            )
        ],
        "board_posts": [
            {"at": p.created_at.isoformat(), "status": p.status.value, "text": p.body}
            for p in db.session.scalars(select(BoardPost).where(BoardPost.author_id == user.id))
        ],
    }
