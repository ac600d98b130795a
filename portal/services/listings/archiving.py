"""Archiving a programme: what it touches (bookings, route maps), then cancelling its coming sessions with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Programme, Session, User
from portal.models.base import utcnow
from portal.services.booking import queries
from portal.services.listings import editing, session_planning
from portal.services.routekaarten.model import Catalogue, RouteMap


@dataclass
class ArchiveImpact:
    """What archiving would touch: the coming sessions, their bookings and waiting lists, the route maps."""

    sessions: list[Session]
    booked: int
    waiting: int
    route_maps: list[RouteMap]

    @property
    def people(self) -> int:
        """How many bookings (places and waiting list) archiving cancels."""
        return self.booked + self.waiting


def coming_sessions(programme: Programme, now: datetime | None = None) -> list[Session]:
    """The programme's scheduled sessions that have not started, in time order."""
    return list(
        db.session.scalars(
            select(Session)
            .where(
                Session.programme_id == programme.id,
                Session.status == "scheduled",
                Session.starts_at > (now or utcnow()),
            )
            .order_by(Session.starts_at)
        )
    )


def route_maps_naming(catalogue: Catalogue, slug: str) -> list[RouteMap]:
    """The route maps with an offer of this programme."""
    return [route_map for route_map in catalogue.maps if any(offer.programme == slug for offer in route_map.offers)]


def impact(programme: Programme, catalogue: Catalogue, now: datetime | None = None) -> ArchiveImpact:
    """What archiving `programme` now would touch, for the page that asks first."""
    sessions = coming_sessions(programme, now)
    waiting = queries.waitlist_counts([session.id for session in sessions])
    return ArchiveImpact(
        sessions=sessions,
        booked=sum(session.booked for session in sessions),
        waiting=sum(waiting.values()),
        route_maps=route_maps_naming(catalogue, programme.slug),
    )


def archive(programme: Programme, user: User, today: date, now: datetime | None = None) -> list[Session]:
    """Archive the programme and cancel its coming sessions, in the history; returns the sessions cancelled.

    The caller settles their bookings (places.settle_changed_sessions) and mails the residents before committing."""
    cancelled = []
    for session in coming_sessions(programme, now):
        cancelled.extend(session_planning.cancel(session, user, now=now))
    editing.set_status(programme, "archived", user, today)
    return cancelled
