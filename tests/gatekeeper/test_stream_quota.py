"""StreamQuota as plain ASGI: counts per client address, releases on the way out, 429/503 naming the limit."""

import asyncio
import json

from gatekeeper.stream_quota import StreamQuota, event_streams


class Held:
    """A stream app that stays open until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await self.release.wait()
        await send({"type": "http.response.body", "body": b""})


def scope(client: str, path: str = "/s", accept: bytes = b"*/*") -> dict:
    return {"type": "http", "path": path, "headers": [(b"accept", accept)], "client": (client, 1234)}


async def call(app, scope) -> tuple[int, dict | None]:
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.disconnect"}

    task = asyncio.create_task(app(scope, receive, send))
    await asyncio.sleep(0.01)
    status = sent[0]["status"] if sent else 0
    body = json.loads(sent[1]["body"]) if len(sent) > 1 and sent[1]["body"] else None
    return status, body, task


async def test_one_client_is_capped_and_others_are_served():
    inner = Held()
    quota = StreamQuota(inner, per_client=2, total=3, is_stream=event_streams(["/s"]))
    held = [await call(quota, scope("10.0.0.1")) for _ in range(2)]
    assert [s for s, _, _ in held] == [200, 200]
    status, body, _ = await call(quota, scope("10.0.0.1"))
    assert status == 429
    assert body["detail"][0]["type"] == "limit.max_streams_per_client" and "at most 2" in body["detail"][0]["msg"]
    assert (await call(quota, scope("10.0.0.2")))[0] == 200
    status, body, _ = await call(quota, scope("10.0.0.3"))  # the backstop over every client
    assert status == 503 and body["detail"][0]["type"] == "limit.max_streams"
    inner.release.set()
    await asyncio.gather(*(t for _, _, t in held))
    await asyncio.sleep(0.01)
    assert quota.open.get("10.0.0.1") is None and quota.open_total == 0


async def test_other_requests_pass_uncounted_and_accept_marks_a_stream():
    inner = Held()
    quota = StreamQuota(inner, per_client=1, is_stream=event_streams(["/s"]))
    first = await call(quota, scope("10.0.0.1", "/other", b"text/event-stream"))
    assert first[0] == 200
    assert (await call(quota, scope("10.0.0.1", "/s")))[0] == 429
    assert (await call(quota, scope("10.0.0.1", "/plain")))[0] == 200  # not a stream: not counted
    inner.release.set()
