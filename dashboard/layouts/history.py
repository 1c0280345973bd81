"""A layout and its append-only history of versions (the domain's records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Layout:
    """The layout's identity and a summary of its latest version (for the gallery)."""

    id: str
    title: str
    owner: str
    description: str
    edit_key_hash: str
    latest: int
    created_at: datetime
    updated_at: datetime
    latest_hash: str = ""
    parent_id: str | None = None
    parent_version: int | None = None
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Version:
    """One immutable save. ``parent`` is the version it was made from (None for the first)."""

    layout_id: str
    number: int
    parent: int | None
    author: str
    message: str
    created_at: datetime
    content_hash: str
    restored_from: int | None = None
    document: dict = field(default_factory=dict, compare=False)

    def info(self) -> dict:
        return {
            "number": self.number,
            "version": self.number,
            "parentVersion": self.parent,
            "author": self.author,
            "message": self.message,
            "createdAt": self.created_at,
            "contentHash": self.content_hash,
            "restoredFrom": self.restored_from,
        }
