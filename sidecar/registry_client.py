"""httpx adapters for the registry port: the Tessera API and the lab's compat route."""

from __future__ import annotations

from typing import Any

import httpx

from sidecar.manifest import Manifest
from sidecar.ports import Lease, ManifestReplaced, RegistryRejected, RegistryUnavailable

TRANSIENT_STATUSES = frozenset({408, 425, 429})


def error_detail(response: httpx.Response) -> str:
    """Render the registry's ``{"detail": [...]}`` as ``body.element: msg; ...``."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text[:500] or response.reason_phrase
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []))
                parts.append(f"{loc}: {item.get('msg', item)}" if loc else str(item.get("msg", item)))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail) if detail is not None else response.text[:500]


def lease_from(response: httpx.Response) -> Lease:
    try:
        body: Any = response.json()
    except ValueError:
        return Lease()
    if not isinstance(body, dict):
        return Lease()
    return Lease(body.get("lease_expires_at"), body.get("status", "live"))


class HttpRegistry:
    """``PUT /api/v1/widgets/{id}``, ``POST …/heartbeat``, ``DELETE …``.

    Each heartbeat sends ``If-Match`` with the ETag its PUT answered, so it keeps alive
    only the manifest this sidecar announced; a 412 means someone replaced it."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, origin: str, token: str | None = None) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.etags: dict[str, str] = {}
        self.headers = {"X-Tessera-Origin": origin}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    async def _send(self, method: str, path: str, extra: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **extra} if extra else self.headers
        try:
            response = await self.client.request(method, self.base_url + path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc
        if response.status_code >= 500 or response.status_code in TRANSIENT_STATUSES:
            raise RegistryUnavailable(f"status {response.status_code}")
        return response

    def _rejected(self, response: httpx.Response) -> RegistryRejected:
        return RegistryRejected(response.status_code, error_detail(response))

    async def announce(self, manifest: Manifest) -> Lease:
        response = await self._send("PUT", f"/api/v1/widgets/{manifest.id}", json=manifest.document)
        if response.status_code >= 400:
            raise self._rejected(response)
        if etag := response.headers.get("etag"):
            self.etags[manifest.id] = etag
        return lease_from(response)

    async def heartbeat(self, widget_id: str) -> Lease | None:
        etag = self.etags.get(widget_id)
        extra = {"If-Match": etag} if etag else None  # a registry without ETags gets plain heartbeats
        response = await self._send("POST", f"/api/v1/widgets/{widget_id}/heartbeat", extra=extra)
        if response.status_code == 404:
            return None
        if response.status_code == 412:
            raise ManifestReplaced(error_detail(response))
        if response.status_code >= 400:
            raise self._rejected(response)
        return lease_from(response)

    async def withdraw(self, widget_id: str) -> None:
        response = await self._send("DELETE", f"/api/v1/widgets/{widget_id}")
        if response.status_code >= 400 and response.status_code != 404:
            raise self._rejected(response)


class LabRegistry(HttpRegistry):
    """The lab's surface: ``POST /api/v1/registry/{id}`` both registers and renews."""

    last: Manifest | None = None

    async def announce(self, manifest: Manifest) -> Lease:
        body = manifest.lab_body or {
            "webComponent": {
                "jsUrl": manifest.module_url,
                "cssUrl": manifest.document.get("stylesheet"),
                "componentId": manifest.document["element"],
            },
            "label": manifest.document.get("label", manifest.id),
            "tags": manifest.document.get("tags", []),
        }
        response = await self._send("POST", f"/api/v1/registry/{manifest.id}", json=body)
        if response.status_code >= 400:
            raise self._rejected(response)
        self.last = manifest
        return lease_from(response)

    async def heartbeat(self, widget_id: str) -> Lease | None:
        manifest = self.last
        if manifest is None or manifest.id != widget_id:
            return None
        return await self.announce(manifest)
