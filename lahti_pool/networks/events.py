"""Network events: the coordinator plans them and records attendance; members register,
and a full event keeps a waiting list whose first person gets a freed place.

Race-free: every change of an event's registrations first raises the event's
``registrations_version`` (an UPDATE of its row), which holds the row lock until commit
on PostgreSQL and the write lock on SQLite. The places are then counted inside that lock,
so two registrations for the last place never both get it, and a cancellation's freed
place goes to exactly one person waiting.
"""

from datetime import datetime

from sqlalchemy import func, select, update

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.networks import mails, rules
from lahti_pool.networks.models import (
    EventKind,
    EventRegistration,
    NetworkEvent,
    PeerNetwork,
    RegistrationStatus,
)
from lahti_pool.networks.services import is_coordinator, is_member
from lahti_pool.organisation.models import Venue
from lahti_pool.sessions.rules import local_to_utc


def create_event(
    actor: User, network: PeerNetwork, data: rules.EventInput, now: datetime
) -> NetworkEvent:
    if not is_coordinator(actor, network):
        raise NotPermitted(N_("Only the network's coordinator can plan its events."))
    try:
        kind = EventKind(data.kind)
    except ValueError:
        raise DomainError(N_("Choose the kind of event from the list."), field="kind") from None
    starts_at = local_to_utc(data.on_date, data.at)
    rules.check_event(data, starts_at, now)
    if data.venue_id is not None:
        venue = db.session.get(Venue, data.venue_id)
        if venue is None or not venue.is_active:
            raise DomainError(N_("Choose a venue from the list."), field="venue_id")
    event = NetworkEvent(
        network_id=network.id,
        kind=kind,
        title=data.title.strip(),
        description=data.description.strip(),
        starts_at=starts_at,
        duration_minutes=data.duration_minutes,
        capacity=data.capacity,
        venue_id=data.venue_id,
        video_url=data.video_url.strip(),
    )
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "network.event_created", event)
    return event


def _lock(event: NetworkEvent) -> None:
    """Take the event's lock (see the module's docstring) for the rest of the transaction."""
    db.session.execute(
        update(NetworkEvent)
        .where(NetworkEvent.id == event.id)
        .values(registrations_version=NetworkEvent.registrations_version + 1)
        .execution_options(synchronize_session=False)
    )


def _registered_count(event_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(EventRegistration)
        .where(
            EventRegistration.event_id == event_id,
            EventRegistration.status == RegistrationStatus.REGISTERED,
        )
    )


def own_registration(event_id: int, user_id: int) -> EventRegistration | None:
    return db.session.scalar(
        select(EventRegistration)
        .where(EventRegistration.event_id == event_id, EventRegistration.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def register(actor: User, event: NetworkEvent, now: datetime) -> EventRegistration:
    """A place if one is free, else the end of the waiting list; mail either way."""
    if not is_member(actor, event.network):
        raise NotPermitted(N_("Join the network to register for its events."))
    if event.starts_at <= now:
        raise InvalidTransition(N_("The event has started; registration is closed."))
    _lock(event)
    row = own_registration(event.id, actor.id)
    if row is not None and row.status != RegistrationStatus.CANCELLED:
        raise DomainError(N_("You have registered for this event already."))
    free = _registered_count(event.id) < event.capacity
    status = RegistrationStatus.REGISTERED if free else RegistrationStatus.WAITING
    if row is None:
        row = EventRegistration(event_id=event.id, user_id=actor.id, status=status, created_at=now)
        db.session.add(row)
    else:  # registering again after cancelling: at the end of the queue
        row.status, row.created_at, row.attended = status, now, None
    db.session.flush()
    audit.record(actor, "network.registered", event, status=status.value)
    mails.registration_mail(row)
    return row


def cancel(actor: User, event: NetworkEvent, now: datetime) -> EventRegistration | None:
    """Cancel the actor's registration or place in the queue; returns the registration of
    the person who got the freed place, if anybody did."""
    if event.starts_at <= now:
        raise InvalidTransition(N_("The event has started; the registration stays."))
    _lock(event)
    row = own_registration(event.id, actor.id)
    if row is None or row.status == RegistrationStatus.CANCELLED:
        raise DomainError(N_("You are not registered for this event."))
    had_place = row.status == RegistrationStatus.REGISTERED
    row.status = RegistrationStatus.CANCELLED
    db.session.flush()
    audit.record(actor, "network.registration_cancelled", event)
    mails.cancellation_mail(row)
    if had_place:
        return fill_places(event)
    return None


def fill_places(event: NetworkEvent) -> EventRegistration | None:
    """Give free places to the first people waiting (call holding the lock); each is told
    by e-mail with the calendar invitation. Returns the last one moved up."""
    moved = None
    free = event.capacity - _registered_count(event.id)
    if free <= 0:
        return None
    waiting = db.session.scalars(
        select(EventRegistration)
        .where(
            EventRegistration.event_id == event.id,
            EventRegistration.status == RegistrationStatus.WAITING,
        )
        .order_by(EventRegistration.created_at, EventRegistration.id)
        .limit(free)
        .execution_options(populate_existing=True)
    ).all()
    for row in waiting:
        row.status = RegistrationStatus.REGISTERED
        db.session.flush()
        audit.record(None, "network.place_given", event, user_id=row.user_id)
        mails.place_freed_mail(row)
        moved = row
    return moved


def waiting_position(row: EventRegistration) -> int:
    """1 for the first in the queue."""
    return db.session.scalar(
        select(func.count())
        .select_from(EventRegistration)
        .where(
            EventRegistration.event_id == row.event_id,
            EventRegistration.status == RegistrationStatus.WAITING,
            (EventRegistration.created_at < row.created_at)
            | ((EventRegistration.created_at == row.created_at) & (EventRegistration.id <= row.id)),
        )
    )


def registrations(event: NetworkEvent, status: RegistrationStatus) -> list[EventRegistration]:
    return list(
        db.session.scalars(
            select(EventRegistration)
            .where(EventRegistration.event_id == event.id, EventRegistration.status == status)
            .order_by(EventRegistration.created_at, EventRegistration.id)
        )
    )


def record_attendance(
    actor: User, event: NetworkEvent, present_ids: set[int], now: datetime
) -> int:
    """The coordinator marks who of the registered came; the others are marked absent.
    Returns how many were present."""
    if not is_coordinator(actor, event.network):
        raise NotPermitted(N_("Only the network's coordinator records attendance."))
    if event.starts_at > now:
        raise InvalidTransition(N_("Attendance is recorded once the event has started."))
    present = 0
    for row in registrations(event, RegistrationStatus.REGISTERED):
        row.attended = row.user_id in present_ids
        present += row.attended
    db.session.flush()
    audit.record(actor, "network.attendance_recorded", event, present=present)
    return present


def upcoming_events(network: PeerNetwork, now: datetime) -> list[NetworkEvent]:
    return list(
        db.session.scalars(
            select(NetworkEvent)
            .where(NetworkEvent.network_id == network.id, NetworkEvent.starts_at >= now)
            .order_by(NetworkEvent.starts_at)
        )
    )


def past_events(network: PeerNetwork, now: datetime, limit: int = 20) -> list[NetworkEvent]:
    return list(
        db.session.scalars(
            select(NetworkEvent)
            .where(NetworkEvent.network_id == network.id, NetworkEvent.starts_at < now)
            .order_by(NetworkEvent.starts_at.desc())
            .limit(limit)
        )
    )
