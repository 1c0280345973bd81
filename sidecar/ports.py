"""The sidecar's two ports — the registry it announces to and the widget host it
watches — with their value types, errors and in-memory fakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sidecar.manifest import Manifest

JAVASCRIPT_TYPES = frozenset({"text/javascript", "application/javascript"})


@dataclass(frozen=True)
class Lease:
    lease_expires_at: str | None = None
    status: str = "live"


class RegistryUnavailable(Exception):
    """The registry did not answer usefully (connection error, timeout, 5xx, 429): retry."""


class RegistryRejected(Exception):
    """The registry refused the widget with a 4xx: retrying will not help."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail
        super().__init__(f"registry answered {status}: {detail}")


class ManifestReplaced(Exception):
    """The registry holds another manifest than the one this sidecar announced (its
    heartbeat's If-Match did not match, 412): announce ours again."""


class HostUnreachable(Exception):
    """The widget host could not be reached at all."""


@dataclass(frozen=True)
class HostResponse:
    status: int
    content_type: str
    body: bytes = b""

    @property
    def mime(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    def problem(self) -> str | None:
        """Why this response does not make a healthy widget module (None when healthy)."""
        if self.status != 200:
            return f"status {self.status}"
        if self.mime not in JAVASCRIPT_TYPES:
            return f"content-type {self.mime or 'missing'} is not JavaScript"
        return None


class RegistryPort(Protocol):
    async def announce(self, manifest: Manifest) -> Lease: ...

    async def heartbeat(self, widget_id: str) -> Lease | None:
        """Renew the lease; None when the registry does not know the widget (404);
        ManifestReplaced when it holds another manifest under the id (412)."""

    async def withdraw(self, widget_id: str) -> None: ...


class HostPort(Protocol):
    async def fetch(self, url: str) -> HostResponse: ...


@dataclass
class InMemoryRegistry:
    """A registry fake: keeps announced manifests; ``down`` makes every call fail."""

    widgets: dict[str, Manifest] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    down: bool = False
    reject: RegistryRejected | None = None
    replaced: set[str] = field(default_factory=set)

    def _enter(self, verb: str, widget_id: str) -> None:
        self.calls.append((verb, widget_id))
        if self.down:
            raise RegistryUnavailable("connection refused")
        if self.reject is not None:
            raise self.reject

    async def announce(self, manifest: Manifest) -> Lease:
        self._enter("PUT", manifest.id)
        self.widgets[manifest.id] = manifest
        return Lease("2026-01-01T00:00:15Z")

    async def heartbeat(self, widget_id: str) -> Lease | None:
        self._enter("HEARTBEAT", widget_id)
        if widget_id in self.replaced:
            self.replaced.discard(widget_id)
            raise ManifestReplaced(widget_id)
        return Lease("2026-01-01T00:00:15Z") if widget_id in self.widgets else None

    async def withdraw(self, widget_id: str) -> None:
        self._enter("DELETE", widget_id)
        self.widgets.pop(widget_id, None)


@dataclass
class InMemoryHost:
    """A widget-host fake serving one module; set ``response`` or ``down`` to break it."""

    response: HostResponse = field(
        default_factory=lambda: HostResponse(200, "text/javascript", b"export {};")
    )
    down: bool = False
    fetched: list[str] = field(default_factory=list)

    async def fetch(self, url: str) -> HostResponse:
        self.fetched.append(url)
        if self.down:
            raise HostUnreachable("connection refused")
        return self.response
