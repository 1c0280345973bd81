"""One upstream HTTP service seen through the gateway's guards.

Every call goes through the upstream's bulkhead (a slow service cannot take every
worker), its circuit breaker (a dead service fails fast) and, where it is safe, a retry
with exponential backoff and jitter. Failures surface as ``UpstreamFailure`` carrying
the HTTP status the gateway should answer with (502 unreachable, 503 refused, 504 slow).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from resilience import (
    Backoff,
    Bulkhead,
    BulkheadFull,
    CircuitBreaker,
    CircuitOpen,
    retry_async,
)


class UpstreamFailure(Exception):
    """The upstream could not give an answer; ``status`` is what the gateway returns."""

    def __init__(self, upstream: str, status: int, reason: str, retry_after: float = 0.0) -> None:
        self.upstream = upstream
        self.status = status
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(f"{upstream}: {reason}")

    def as_json(self) -> dict[str, Any]:
        return {"detail": self.reason, "upstream": self.upstream, "status": self.status}


class ServerError(Exception):
    """A 5xx answer: counted as a failure and retried by ``get_json``."""

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(f"upstream answered {status}")


@dataclass
class OpenStream:
    """A streamed answer and how to release it (connection and bulkhead slot)."""

    response: httpx.Response
    _exit: AsyncExitStack

    async def aclose(self) -> None:
        # Shielded: Starlette cancels a response's scope when the client leaves, and
        # every await in a cancelled anyio scope would be cancelled again.
        with anyio.CancelScope(shield=True):
            await self._exit.aclose()


class Upstream:
    def __init__(
        self,
        name: str,
        base_url: str,
        client: httpx.AsyncClient,
        *,
        breaker: CircuitBreaker,
        bulkhead: Bulkhead,
        stream_bulkhead: Bulkhead,
        backoff: Backoff,
        attempts: int,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.client = client
        self.breaker = breaker
        self.bulkhead = bulkhead
        self.stream_bulkhead = stream_bulkhead
        self.backoff = backoff
        self.attempts = attempts

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    async def get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET and decode JSON; transport errors and 5xx are retried with backoff."""

        async def attempt() -> Any:
            response = await self.client.get(self.url(path), params=params)
            if response.status_code >= 500:
                raise ServerError(response.status_code)
            response.raise_for_status()
            try:
                return response.json()
            except ValueError as exc:
                raise UpstreamFailure(self.name, 502, f"{self.name} sent invalid JSON") from exc

        async with self._guard(self.bulkhead):
            return await retry_async(
                attempt,
                backoff=self.backoff,
                attempts=self.attempts,
                retry_on=(httpx.TransportError, ServerError),
                breaker=self.breaker,
            )

    async def fetch(self, path: str, query: str = "", headers: dict[str, str] | None = None) -> httpx.Response:
        """GET and read the whole body; only refused connections are retried."""
        url = self.url(path) + (f"?{query}" if query else "")

        async def attempt() -> httpx.Response:
            return await self.client.get(url, headers=headers)

        async with self._guard(self.bulkhead):
            return await retry_async(
                attempt,
                backoff=self.backoff,
                attempts=self.attempts,
                retry_on=(httpx.ConnectError, httpx.ConnectTimeout),
                breaker=self.breaker,
            )

    @asynccontextmanager
    async def stream(
        self, path: str, query: str = "", headers: dict[str, str] | None = None, read_timeout: float | None = None
    ) -> AsyncIterator[httpx.Response]:
        """Open a long-lived GET (SSE): its own bulkhead, and no read timeout unless the caller knows
        how often the upstream speaks (``read_timeout``: ``httpx.ReadTimeout`` after that long silent)."""
        url = self.url(path) + (f"?{query}" if query else "")
        timeout = httpx.Timeout(self.client.timeout.connect, read=read_timeout, write=None, pool=None)
        async with self._guard(self.stream_bulkhead):
            if not self.breaker.allow():
                raise UpstreamFailure(self.name, 503, f"{self.name} circuit is open", self.breaker.retry_after())
            request = self.client.build_request("GET", url, headers=headers, timeout=timeout)
            try:
                response = await self.client.send(request, stream=True)
            except httpx.TransportError:
                self.breaker.record_failure()
                raise
            self.breaker.record_success()
            try:
                yield response
            finally:
                await response.aclose()

    async def open_stream(self, path: str, query: str = "", headers: dict[str, str] | None = None,
                          read_timeout: float | None = None) -> OpenStream:
        """``stream`` for a response that outlives the handler (released by ``aclose``)."""
        exit_stack = AsyncExitStack()
        response = await exit_stack.enter_async_context(self.stream(path, query, headers, read_timeout))
        return OpenStream(response, exit_stack)

    @asynccontextmanager
    async def _guard(self, bulkhead: Bulkhead) -> AsyncIterator[None]:
        try:
            async with bulkhead:
                yield
        except BulkheadFull as exc:
            raise UpstreamFailure(self.name, 503, f"{self.name} is busy ({exc.limit} calls in flight)", 1.0) from exc
        except CircuitOpen as exc:
            raise UpstreamFailure(self.name, 503, f"{self.name} is failing; circuit open", exc.retry_after) from exc
        except httpx.TimeoutException as exc:
            raise UpstreamFailure(self.name, 504, f"{self.name} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise UpstreamFailure(self.name, 502, f"{self.name} is unreachable ({type(exc).__name__})") from exc
        except ServerError as exc:
            raise UpstreamFailure(self.name, 502, f"{self.name} answered {exc.status}") from exc
        except httpx.HTTPStatusError as exc:
            raise UpstreamFailure(self.name, 502, f"{self.name} answered {exc.response.status_code}") from exc
