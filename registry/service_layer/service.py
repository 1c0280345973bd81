"""Use cases: announce (register/upsert), heartbeat, deregister, read, list, sweep, flush.

The service owns the in-memory catalogue and publishes change events. Heartbeats only
touch memory; their times reach the store in batches (``flush``). Registrations and
removals are written through before they are acknowledged.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from registry.adapters.repository import WidgetRepository
from registry.domain.events import Kind, WidgetChanged
from registry.domain.manifest import Manifest, id_problem, parse_manifest
from registry.domain.origin import Announcer
from registry.domain.element_name import DEFAULT_PLATFORM_TEAMS, element_claim_problem
from registry.domain.problems import (
    Conflict,
    DigestRequired,
    Forbidden,
    ManifestInvalid,
    NotFound,
    Problem,
    StaleManifest,
)
from registry.domain.status import Status
from registry.domain.widget import Widget, new_widget

from .broadcaster import Broadcaster
from .catalogue import Catalogue, Filters
from .views import widget_public

log = logging.getLogger("registry")
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Announced:
    widget: Widget
    created: bool


class Registry:
    def __init__(
        self,
        repository: WidgetRepository,
        broadcaster: Broadcaster,
        *,
        clock: Clock,
        grace: timedelta,
        allowed_origins: frozenset[str] = frozenset(),
        reservation: timedelta = timedelta(days=7),
        platform_teams: frozenset[str] = DEFAULT_PLATFORM_TEAMS,
    ) -> None:
        self.repository = repository
        self.broadcaster = broadcaster
        self.clock = clock
        self.grace = grace
        self.allowed_origins = allowed_origins
        self.reservation = reservation
        self.platform_teams = platform_teams
        self.catalogue = Catalogue()
        self._published: dict[str, Status] = {}
        self._dirty: set[str] = set()
        self._last_body: dict[str, tuple[bytes, str | None]] = {}
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        widgets = await asyncio.to_thread(self.repository.load_all)
        now = self.clock()
        self.catalogue = Catalogue(widgets)
        self._published = {w.id: w.status(now, self.grace) for w in widgets}

    # -- commands ---------------------------------------------------------------

    async def announce(
        self, widget_id: str, raw: object, *, origin: str | None, team: str | None, body: bytes | None = None
    ) -> Announced:
        """Register or refresh ``widget_id`` with the manifest ``raw``; ``team`` is the
        token's team when tokens are enforced (None in open mode, where the manifest's
        own ``team`` is the claimant)."""
        digest = hashlib.blake2b(body, digest_size=16).digest() if body is not None else None
        current = self.catalogue.get(widget_id)
        now = self.clock()
        if digest is not None and current is not None and self._last_body.get(widget_id) == (digest, origin):
            if current.status(now, self.grace) is not Status.GONE and team in (None, current.team):
                self._renew(current, now)  # same document again: a heartbeat
                return Announced(current, created=False)
        announcer = Announcer(origin, self.allowed_origins)
        manifest = parse_manifest(raw, widget_id=widget_id, announcer=announcer)
        if (why := element_claim_problem(manifest.element, manifest.team, self.platform_teams)) is not None:
            raise ManifestInvalid(Problem(("body", "element"), why, "value_error.element_reserved"))
        async with self._lock:
            now = self.clock()
            current = self.catalogue.get(widget_id)
            self._check_ownership(manifest, current, team, now)
            owner = self.catalogue.element_owner(manifest.element, now, self.grace, besides=widget_id)
            if owner is not None:
                msg = f"element <{manifest.element}> already belongs to widget {owner.id!r}"
                raise Conflict(Problem(("body", "element"), msg, "value_error.element_taken"))
            was = current.status(now, self.grace) if current is not None else Status.GONE
            if current is None or current.team != manifest.team:  # new, or taken over after its reservation
                widget, changed = new_widget(manifest, now), True
            else:
                widget = copy.copy(current)
                widget.versions = list(current.versions)
                changed = widget.announce(manifest, now)
            if changed or was is Status.GONE:
                await asyncio.to_thread(self.repository.save, widget)
                self.catalogue.put(widget)
            else:
                widget = current
                widget.renew(now)
                self._dirty.add(widget_id)
            if digest is not None:
                self._last_body[widget_id] = (digest, origin)
            if was is Status.GONE:
                self._publish(Kind.REGISTERED, widget, now)
            elif changed or was is Status.STALE:
                self._publish(Kind.UPDATED, widget, now)
            return Announced(widget, created=was is Status.GONE)

    def heartbeat(self, widget_id: str, *, team: str | None, etag: str | None) -> Widget:
        """Renew the lease of the manifest whose digest is ``etag`` (the ETag its PUT
        answered); a heartbeat for any other manifest keeps nothing alive."""
        widget = self.catalogue.get(widget_id)
        now = self.clock()
        if widget is None or widget.status(now, self.grace) is Status.GONE:
            raise NotFound(Problem(("path", "id"), f"no live widget {widget_id!r}; register it with PUT", "not_found"))
        if team is not None and team != widget.team:
            raise Forbidden(_not_yours(widget))
        if etag is None:
            msg = "say which manifest this heartbeat keeps alive: If-Match with the ETag the PUT answered"
            raise DigestRequired(Problem(("header", "if-match"), msg, "precondition_required"))
        current = self.catalogue.etag(widget_id)
        if etag != f'"{current}"' and etag.strip().removeprefix("W/").strip('"') != current:
            msg = "the registered manifest is not the one this heartbeat names; announce yours again with PUT"
            raise StaleManifest(Problem(("header", "if-match"), msg, "precondition_failed.manifest_changed"))
        self._renew(widget, now)
        return widget

    def etag(self, widget_id: str) -> str:
        return self.catalogue.etag(widget_id)

    async def deregister(self, widget_id: str, *, team: str | None) -> None:
        async with self._lock:
            widget = self.catalogue.get(widget_id)
            if widget is None:
                raise NotFound(Problem(("path", "id"), f"no widget {widget_id!r}", "not_found"))
            if team is not None and team != widget.team:
                raise Forbidden(_not_yours(widget))
            if widget.removed_at is not None:
                return
            now = self.clock()
            removed = copy.copy(widget)
            removed.remove(now)
            await asyncio.to_thread(self.repository.save, removed)
            self.catalogue.put(removed)
            self._dirty.discard(widget_id)
            self._last_body.pop(widget_id, None)
            if self._published.get(widget_id) is not Status.GONE:
                self._publish(Kind.REMOVED, removed, now)

    # -- queries ----------------------------------------------------------------

    def get(self, widget_id: str) -> Widget:
        if id_problem(widget_id) is None and (widget := self.catalogue.get(widget_id)) is not None:
            return widget
        raise NotFound(Problem(("path", "id"), f"no widget {widget_id!r}", "not_found"))

    def select(self, filters: Filters) -> list[Widget]:
        return self.catalogue.select(filters, self.clock(), self.grace)

    # -- upkeep -----------------------------------------------------------------

    def sweep(self) -> list[WidgetChanged]:
        """Publish status transitions that happened by the clock alone (live→stale→gone)."""
        now = self.clock()
        events = []
        for widget_id, widget in self.catalogue.widgets.items():
            status = widget.status(now, self.grace)
            before = self._published.get(widget_id)
            if status is before:
                continue
            kind = {Status.STALE: Kind.STALE, Status.GONE: Kind.REMOVED, Status.LIVE: Kind.UPDATED}[status]
            events.append(self._publish(kind, widget, now))
        return events

    async def flush(self) -> int:
        """Write pending heartbeat times to the store in one batch; returns how many."""
        if not self._dirty:
            return 0
        ids, self._dirty = self._dirty, set()
        leases = [(i, w.last_seen, w.lease_expires_at) for i in ids if (w := self.catalogue.get(i)) is not None]
        try:
            await asyncio.to_thread(self.repository.save_leases, leases)
        except Exception:
            self._dirty |= ids
            raise
        return len(leases)

    # -- helpers ----------------------------------------------------------------

    def _renew(self, widget: Widget, now: datetime) -> None:
        widget.renew(now)
        self._dirty.add(widget.id)
        if self._published.get(widget.id) is Status.STALE:
            self._publish(Kind.UPDATED, widget, now)

    def _publish(self, kind: Kind, widget: Widget, now: datetime) -> WidgetChanged:
        self._published[widget.id] = widget.status(now, self.grace)
        self.catalogue.touch()
        event = WidgetChanged(kind, widget.id, widget_public(widget, now, self.grace))
        self.broadcaster.publish(event)
        return event

    def _check_ownership(self, manifest: Manifest, current: Widget | None, team: str | None, now: datetime) -> None:
        """A widget id belongs to the team that registered it, while it is listed and for
        ``reservation`` after it was removed or expired. ``team`` is the token's team;
        in open mode (None) the manifest's own claim stands in for it."""
        if team is not None and manifest.team != team:
            msg = f"this token belongs to team {team!r}, not {manifest.team!r}"
            raise Forbidden(Problem(("body", "team"), msg, "forbidden.team"))
        if current is None or current.team == manifest.team:
            return
        if current.status(now, self.grace) is not Status.GONE:
            raise Forbidden(_not_yours(current))
        reserved_until = released_at(current, self.grace) + self.reservation
        if now < reserved_until:
            msg = f"widget {current.id!r} belongs to team {current.team!r} (reserved until {reserved_until.isoformat(timespec='seconds')})"
            raise Forbidden(Problem(("path", "id"), msg, "forbidden.reserved"))


def released_at(widget: Widget, grace: timedelta) -> datetime:
    """When a gone widget stopped being listed: its removal, or its lease plus grace."""
    return widget.removed_at or widget.lease_expires_at + grace


def _not_yours(widget: Widget) -> Problem:
    return Problem(("path", "id"), f"widget {widget.id!r} belongs to team {widget.team!r}", "forbidden.team")

