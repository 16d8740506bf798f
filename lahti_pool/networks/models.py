"""Peer networks (Omnia practice): a network of organisations, themed networks by role
with coordinators and open membership, their events with registration and a waiting
list, and a discussion board."""

import enum
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db


class NetworkKind(enum.StrEnum):
    #: the organisations taking part (the city and guest organisations); no members of its own
    ORGANISATIONS = "organisations"
    #: a peer network by theme and role: open, voluntary membership, events, a board
    THEMED = "themed"


class PeerNetwork(db.Model):
    __tablename__ = "peer_networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[NetworkKind] = mapped_column(str_enum(NetworkKind), default=NetworkKind.THEMED)
    #: the theme and the roles it is for ("HR developers", "pedagogical leadership")
    description: Mapped[str] = mapped_column(String(2000), default="")
    #: the network of organisations a themed network belongs to; its guest organisations'
    #: officials may join (the city's staff always may)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("peer_networks.id"), index=True)
    #: the city's own discussion platform; when set the board is a link there instead
    board_url: Mapped[str] = mapped_column(String(500), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped["PeerNetwork | None"] = relationship(remote_side=[id])
    organisations: Mapped[list["NetworkOrganisation"]] = relationship(cascade="all, delete-orphan")

    @property
    def is_themed(self) -> bool:
        return self.kind == NetworkKind.THEMED


class NetworkOrganisation(db.Model):
    """A guest organisation taking part in a network of organisations."""

    __tablename__ = "network_organisations"
    __table_args__ = (UniqueConstraint("network_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("peer_networks.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)

    organisation = relationship("Organisation")


class NetworkCoordinator(db.Model):
    """A per-network role the administrator grants: runs events, records attendance and
    moderates the board."""

    __tablename__ = "network_coordinators"
    __table_args__ = (UniqueConstraint("network_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("peer_networks.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")


class NetworkMember(db.Model):
    """A person in a themed network; leaving keeps the row (``left_at``) so a period's
    mapping counts who was a member then."""

    __tablename__ = "network_members"
    __table_args__ = (UniqueConstraint("network_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("peer_networks.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    network: Mapped[PeerNetwork] = relationship()


class EventKind(enum.StrEnum):
    WEBINAR = "webinar"
    WORKSHOP = "workshop"
    SPARRING = "sparring"
    DISCUSSION = "discussion"


class NetworkEvent(db.Model):
    __tablename__ = "network_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("peer_networks.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    video_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    #: raised on every change of the registrations: the row lock that orders them
    registrations_version: Mapped[int] = mapped_column(Integer, default=0)
    #: the invitations' SEQUENCE, raised when the event changes
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    network: Mapped[PeerNetwork] = relationship()
    venue = relationship("Venue")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITING = "waiting"  #: on the waiting list, in order of ``created_at``
    CANCELLED = "cancelled"


class EventRegistration(db.Model):
    __tablename__ = "event_registrations"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("network_events.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    #: the place in the waiting list; renewed when a cancelled person registers again
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: recorded by the coordinator after the event: True present, False absent
    attended: Mapped[bool | None] = mapped_column(Boolean)

    user = relationship("User")
    event: Mapped[NetworkEvent] = relationship()


class PostStatus(enum.StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"  #: hidden by the coordinator; the text is kept
    REMOVED = "removed"  #: removed by the coordinator; the text is deleted


class BoardPost(db.Model):
    """A post on a themed network's board, or a reply to one (``parent_id``)."""

    __tablename__ = "board_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("peer_networks.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("board_posts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PostStatus] = mapped_column(str_enum(PostStatus), default=PostStatus.VISIBLE)
    moderation_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")
