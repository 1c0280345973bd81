"""Ports for the metadata store, with in-memory fakes beside them.

Adapters: ``memory`` (fakes below, for unit tests) and ``sql`` (SQLModel on SQLite or
PostgreSQL, in ``sql_repository.py``).
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from dataclasses import replace
from datetime import datetime

from registry.domain.token import TeamToken
from registry.domain.widget import Widget

Lease = tuple[str, datetime, datetime]  # widget id, last_seen, lease_expires_at


class WidgetRepository(ABC):
    @abstractmethod
    def load_all(self) -> list[Widget]:
        """Every widget ever registered (gone ones too), with version history."""

    @abstractmethod
    def save(self, widget: Widget) -> None:
        """Insert or update the widget and its version history."""

    @abstractmethod
    def save_leases(self, leases: list[Lease]) -> None:
        """Write heartbeat times for many widgets at once (write-behind)."""


class TokenStore(ABC):
    @abstractmethod
    def add(self, token: TeamToken) -> None: ...

    @abstractmethod
    def find(self, token_hash: str) -> TeamToken | None: ...

    @abstractmethod
    def all(self) -> list[TeamToken]: ...

    @abstractmethod
    def revoke(self, token_id: str, now: datetime) -> bool:
        """Mark a token revoked; False when there is no active token with that id."""


class InMemoryWidgetRepository(WidgetRepository):
    def __init__(self) -> None:
        self.widgets: dict[str, Widget] = {}
        self.lease_writes = 0

    def load_all(self) -> list[Widget]:
        return [copy.deepcopy(w) for w in self.widgets.values()]

    def save(self, widget: Widget) -> None:
        self.widgets[widget.id] = copy.deepcopy(widget)

    def save_leases(self, leases: list[Lease]) -> None:
        self.lease_writes += 1
        for widget_id, last_seen, lease_expires_at in leases:
            if (stored := self.widgets.get(widget_id)) is not None:
                stored.last_seen, stored.lease_expires_at = last_seen, lease_expires_at


class InMemoryTokenStore(TokenStore):
    def __init__(self) -> None:
        self.tokens: dict[str, TeamToken] = {}

    def add(self, token: TeamToken) -> None:
        self.tokens[token.id] = token

    def find(self, token_hash: str) -> TeamToken | None:
        return next((t for t in self.tokens.values() if t.token_hash == token_hash), None)

    def all(self) -> list[TeamToken]:
        return sorted(self.tokens.values(), key=lambda t: t.created_at)

    def revoke(self, token_id: str, now: datetime) -> bool:
        token = self.tokens.get(token_id)
        if token is None or not token.active:
            return False
        self.tokens[token_id] = replace(token, revoked_at=now)
        return True
