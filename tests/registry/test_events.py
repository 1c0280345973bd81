"""GET /api/v1/events (routers/events.py): a real server delivers change events over SSE."""

import asyncio
import json
import socket

import httpx
import pytest
import uvicorn

from registry.entrypoints.app import create_app
from registry.settings import RegistrySettings

pytestmark = pytest.mark.integration
HOST = {"X-Tessera-Origin": "http://127.0.0.1:8100"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def read_event(lines, kind: str) -> dict:
    event = None
    async for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == kind:
            return json.loads(line.removeprefix("data: "))
    raise AssertionError("stream ended")


async def test_sse_feed_delivers_registration_update_and_removal(tmp_path, make_manifest):
    port = free_port()
    settings = RegistrySettings(
        database_url=f"sqlite:///{tmp_path}/r.db", port=port, sweep_interval_seconds=0.1, grace_seconds=0.3, require_tokens=False
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            async with client.stream("GET", "/api/v1/events") as feed:
                assert feed.status_code == 200
                assert feed.headers["content-type"].startswith("text/event-stream")
                lines = feed.aiter_lines()
                await anext(lines)  # the ": connected" comment: we are subscribed
                await client.put("/api/v1/widgets/page-views", json=make_manifest(ttl=1), headers=HOST)
                data = await asyncio.wait_for(read_event(lines, "widget-registered"), 5)
                assert data["id"] == "page-views" and data["status"] == "live"
                await client.put("/api/v1/widgets/page-views", json=make_manifest(ttl=1, version="0.2.0"), headers=HOST)
                assert (await asyncio.wait_for(read_event(lines, "widget-updated"), 5))["version"] == "0.2.0"
                assert (await asyncio.wait_for(read_event(lines, "widget-stale"), 5))["status"] == "stale"
                assert (await asyncio.wait_for(read_event(lines, "widget-removed"), 5))["status"] == "gone"
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 10)
