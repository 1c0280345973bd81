"""CORS for the collector's endpoints, credentials included (Snowplow's browser tracker
sends cookies by default, so a wildcard origin is not enough: the origin is echoed)."""

from __future__ import annotations


class Cors:
    def __init__(self, app, origins: str = "*") -> None:
        self.app = app
        self.any = origins.strip() == "*"
        self.allowed = {o.strip().encode() for o in origins.split(",") if o.strip()}

    def _origin(self, scope) -> bytes | None:
        return self.origin(scope) or None

    def origin(self, scope) -> bytes | None:
        """The request's Origin when it is allowed (to be echoed); ``b""`` when the request
        names no Origin; None when its Origin is not allowed."""
        for name, value in scope["headers"]:
            if name == b"origin":
                return value if self.any or value in self.allowed else None
        return b""

    def allows(self, origin: bytes) -> bool:
        """Whether a (non-empty) Origin may read the answer."""
        return self.any or origin in self.allowed

    @staticmethod
    def headers_for(origin: bytes) -> list[tuple[bytes, bytes]]:
        """What a credentialed cross-origin request from ``origin`` needs to read the answer."""
        return [(b"access-control-allow-origin", origin), (b"access-control-allow-credentials", b"true")]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = self._origin(scope)
        if origin is None:
            await self.app(scope, receive, send)
            return
        headers = [(b"access-control-allow-origin", origin), (b"access-control-allow-credentials", b"true"),
                   (b"vary", b"Origin")]
        if scope["method"] == "OPTIONS":
            requested = dict(scope["headers"]).get(b"access-control-request-headers", b"content-type")
            await send({"type": "http.response.start", "status": 204, "headers": headers + [
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", requested), (b"access-control-max-age", b"86400")]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + headers}
            await send(message)

        await self.app(scope, receive, send_with_cors)
