"""``JsonDepthGuard``: refuse a JSON body nested deeper than a limit before the app parses it.

The server's protocol sends only requests with a body through it, so the pixel pays
nothing. It reads the whole body (the protocol has already bounded its size) and, if it
looks like JSON (its first byte past white space is a bracket), checks it with
``check_depth`` before handing the same bytes on. The content type is not trusted:
Plausible's and Snowplow's trackers send JSON as ``text/plain``.
"""

from __future__ import annotations

from collections.abc import Callable

from gatekeeper.json_depth import TooDeep, check_depth
from gatekeeper.refusal import Refusal


_BRACKETS = (b"[", b"{")


class JsonDepthGuard:
    def __init__(self, app: Callable, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send) -> None:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before the body was complete
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body[:1] in _BRACKETS or body.lstrip()[:1] in _BRACKETS:
            try:
                check_depth(body, self.limit)
            except TooDeep as exc:
                await Refusal(400, "body", str(exc), "max_json_depth").send(send)
                return
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
