"""A registered widget: its current manifest, lease, and version history."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .manifest import Manifest
from .status import Status, status_at


@dataclass(slots=True)
class VersionEntry:
    """One version a widget has announced (history is append-only per version string)."""

    version: str
    manifest: Manifest
    registered_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class Widget:
    manifest: Manifest
    registered_at: datetime
    updated_at: datetime
    last_seen: datetime
    lease_expires_at: datetime
    removed_at: datetime | None = None
    versions: list[VersionEntry] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def team(self) -> str:
        return self.manifest.team

    def status(self, now: datetime, grace: timedelta) -> Status:
        return status_at(now, lease_expires_at=self.lease_expires_at, grace=grace, removed_at=self.removed_at)

    def renew(self, now: datetime) -> None:
        """A heartbeat: seen now, leased for another ``ttl`` seconds."""
        self.last_seen = now
        self.lease_expires_at = now + timedelta(seconds=self.manifest.ttl)

    def announce(self, manifest: Manifest, now: datetime) -> bool:
        """Take a (re-)announced manifest; True when the stored document changed."""
        changed = manifest != self.manifest or self.removed_at is not None
        if changed:
            self.manifest = manifest
            self.updated_at = now
            self._record_version(manifest, now)
        self.removed_at = None
        self.renew(now)
        return changed

    def remove(self, now: datetime) -> None:
        self.removed_at = now

    def _record_version(self, manifest: Manifest, now: datetime) -> None:
        for index, entry in enumerate(self.versions):
            if entry.version == manifest.version:
                self.versions[index] = replace(entry, manifest=manifest, updated_at=now)
                return
        self.versions.append(VersionEntry(manifest.version, manifest, now, now))


def new_widget(manifest: Manifest, now: datetime) -> Widget:
    widget = Widget(manifest, now, now, now, now + timedelta(seconds=manifest.ttl))
    widget.versions.append(VersionEntry(manifest.version, manifest, now, now))
    return widget
