"""A refusal at the edge: status, the field it names, and the error body every service uses.

The body has the shape the services' own validation errors have
(``{"detail": [{"loc", "msg", "type"}]}``), so a client reads one format whether the
server or the app refused.
"""

from __future__ import annotations

import http
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    loc: str  # "request-line", "header", "body"
    msg: str
    limit: str  # the limit's setting name, e.g. "max_headers"

    def body(self) -> bytes:
        error = {"loc": [self.loc], "msg": self.msg, "type": f"limit.{self.limit}"}
        return json.dumps({"detail": [error]}, separators=(",", ":")).encode()

    def raw(self, default_headers: list[tuple[bytes, bytes]] = ()) -> bytes:
        """The whole HTTP/1.1 response (the connection is closed after it)."""
        body = self.body()
        phrase = http.HTTPStatus(self.status).phrase
        lines = [f"HTTP/1.1 {self.status} {phrase}".encode()]
        lines += [name + b": " + value for name, value in default_headers]
        lines += [b"content-type: application/json", b"content-length: " + str(len(body)).encode(),
                  b"cache-control: no-store", b"connection: close"]
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    async def send(self, send: Callable[[dict], Awaitable[None]], headers: list[tuple[bytes, bytes]] = ()) -> None:
        """Answer through ASGI (for refusals decided inside the app, e.g. a stream quota)."""
        body = self.body()
        await send({"type": "http.response.start", "status": self.status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"), *headers]})
        await send({"type": "http.response.body", "body": body})
