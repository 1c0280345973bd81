"""Ports for layouts, their versions and their share links, with in-memory fakes.

Adapters: ``memory`` (below) and ``sql`` (SQLModel on SQLite or PostgreSQL,
``sql_store.py``), chosen by the database URL in ``database.open_stores``.
"""

from __future__ import annotations

import copy
import threading
from abc import ABC, abstractmethod
from dataclasses import replace
from datetime import datetime

from dashboard.layouts.capability import Link
from dashboard.layouts.history import Layout, Version


class LayoutStore(ABC):
    @abstractmethod
    def create(self, layout: Layout, first: Version) -> None:
        """Store a new layout with its first version."""

    @abstractmethod
    def append(self, version: Version, summary: dict) -> bool:
        """Append ``version`` if, and only if, the latest is ``version.number - 1``;
        update the layout's summary (title, owner, description, updated_at) with it.
        False (nothing written) when another save got there first."""

    @abstractmethod
    def layout(self, layout_id: str) -> Layout | None: ...

    @abstractmethod
    def version(self, layout_id: str, number: int) -> Version | None: ...

    @abstractmethod
    def versions(self, layout_id: str, before: int | None, limit: int) -> list[Version]:
        """Newest first, without documents."""

    @abstractmethod
    def search(self, owner: str | None, text: str | None, limit: int, offset: int) -> list[Layout]:
        """Live layouts, most recently updated first."""

    @abstractmethod
    def set_deleted(self, layout_id: str, at: datetime | None) -> bool: ...

    @abstractmethod
    def purge(self, deleted_before: datetime) -> int:
        """Remove layouts deleted before the cut-off, with their versions and links."""

    @abstractmethod
    def prune(self, layout_id: str, keep: int) -> int:
        """Drop all but the newest ``keep`` versions (the retention setting; off by default)."""


class LinkStore(ABC):
    @abstractmethod
    def add(self, link: Link) -> None: ...

    @abstractmethod
    def find(self, token_hash: str) -> Link | None: ...

    @abstractmethod
    def for_layout(self, layout_id: str) -> list[Link]: ...

    @abstractmethod
    def revoke(self, layout_id: str, link_id: str, now: datetime) -> bool:
        """False when the layout has no such link that is still unrevoked."""


def _matches(layout: Layout, owner: str | None, text: str | None) -> bool:
    if layout.deleted_at is not None or (owner is not None and layout.owner.lower() != owner.lower()):
        return False
    if text:
        haystack = f"{layout.title}\n{layout.description}\n{layout.owner}".lower()
        return text.lower() in haystack
    return True


class InMemoryLayoutStore(LayoutStore):
    def __init__(self) -> None:
        self.layouts: dict[str, Layout] = {}
        self.history: dict[str, dict[int, Version]] = {}
        self._lock = threading.Lock()

    def create(self, layout: Layout, first: Version) -> None:
        with self._lock:
            self.layouts[layout.id] = copy.deepcopy(layout)
            self.history[layout.id] = {first.number: copy.deepcopy(first)}

    def append(self, version: Version, summary: dict) -> bool:
        with self._lock:
            layout = self.layouts.get(version.layout_id)
            versions = self.history.get(version.layout_id, {})
            if layout is None or layout.latest != version.number - 1 or version.number in versions:
                return False
            versions[version.number] = copy.deepcopy(version)
            layout.latest = version.number
            for name, value in summary.items():
                setattr(layout, name, value)
            return True

    def layout(self, layout_id: str) -> Layout | None:
        layout = self.layouts.get(layout_id)
        return replace(layout) if layout else None

    def version(self, layout_id: str, number: int) -> Version | None:
        version = self.history.get(layout_id, {}).get(number)
        return copy.deepcopy(version) if version else None

    def versions(self, layout_id: str, before: int | None, limit: int) -> list[Version]:
        numbers = sorted((n for n in self.history.get(layout_id, {}) if before is None or n < before), reverse=True)
        return [replace(self.history[layout_id][n], document={}) for n in numbers[:limit]]

    def search(self, owner: str | None, text: str | None, limit: int, offset: int) -> list[Layout]:
        found = sorted((l for l in self.layouts.values() if _matches(l, owner, text)),
                       key=lambda l: (l.updated_at, l.id), reverse=True)
        return [replace(l) for l in found[offset:offset + limit]]

    def set_deleted(self, layout_id: str, at: datetime | None) -> bool:
        layout = self.layouts.get(layout_id)
        if layout is None:
            return False
        layout.deleted_at = at
        return True

    def purge(self, deleted_before: datetime) -> int:
        gone = [i for i, l in self.layouts.items() if l.deleted_at is not None and l.deleted_at < deleted_before]
        for layout_id in gone:
            del self.layouts[layout_id], self.history[layout_id]
        return len(gone)

    def prune(self, layout_id: str, keep: int) -> int:
        with self._lock:
            versions = self.history.get(layout_id, {})
            old = sorted(versions)[:-keep] if keep > 0 else []
            for number in old:
                del versions[number]
            return len(old)


class InMemoryLinkStore(LinkStore):
    def __init__(self) -> None:
        self.links: dict[str, Link] = {}

    def add(self, link: Link) -> None:
        self.links[link.id] = link

    def find(self, token_hash: str) -> Link | None:
        return next((l for l in self.links.values() if l.token_hash == token_hash), None)

    def for_layout(self, layout_id: str) -> list[Link]:
        return sorted((l for l in self.links.values() if l.layout_id == layout_id), key=lambda l: l.created_at)

    def revoke(self, layout_id: str, link_id: str, now: datetime) -> bool:
        link = self.links.get(link_id)
        if link is None or link.layout_id != layout_id or link.revoked_at is not None:
            return False
        self.links[link_id] = link.revoked(now)
        return True
