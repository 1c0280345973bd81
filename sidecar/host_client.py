"""httpx adapter for the widget-host port: fetch the module the browser will load."""

from __future__ import annotations

import httpx

from sidecar.ports import HostResponse, HostUnreachable

MAX_MODULE_BYTES = 8 * 1024 * 1024


class HttpHost:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def fetch(self, url: str) -> HostResponse:
        try:
            async with self.client.stream("GET", url, headers={"Cache-Control": "no-cache"}) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_MODULE_BYTES:
                        return HostResponse(413, response.headers.get("content-type", ""), b"")
                return HostResponse(response.status_code, response.headers.get("content-type", ""), bytes(body))
        except httpx.HTTPError as exc:
            raise HostUnreachable(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc
