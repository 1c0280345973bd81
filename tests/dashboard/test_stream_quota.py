"""One browser address opening 64 live streams through the dashboard no longer locks everyone else out."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tracker.olap.memory import MemoryStore
from tracker.query.app import create_app as create_query_app
from tracker.query.settings import QuerySettings

from tests.dashboard.conftest import ServerThread

pytestmark = pytest.mark.integration


@pytest.fixture
def real_query():
    with ServerThread(create_query_app(MemoryStore(), QuerySettings(olap_dsn="chdb:///unused"))) as server:
        yield server


def client_from(address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=address), timeout=10)


async def test_sixty_four_streams_from_one_client_leave_room_for_another(serve_dashboard, registry, real_query):
    # the quota is under test, not the upstream timeouts: a busy machine may take a second to open one
    dashboard = serve_dashboard(registry.url, real_query.url, read_timeout=10.0, connect_timeout=5.0)
    url = f"{dashboard.url}/api/v1/metrics/stream?site=demo.local"
    held, statuses, refusal = [], [], None
    async with client_from("127.0.0.1") as greedy, client_from("127.0.0.2") as other:
        try:
            for _ in range(64):
                response = await greedy.send(greedy.build_request("GET", url), stream=True)
                statuses.append(response.status_code)
                if response.status_code == 200:
                    lines = response.aiter_lines()
                    await asyncio.wait_for(anext(lines), 10)
                    held.append((response, lines))
                else:
                    await response.aread()
                    refusal = refusal or response
            assert statuses.count(200) == 16 and statuses.count(429) == 48, statuses
            detail = refusal.json()["detail"][0]
            assert detail["type"] == "limit.max_streams_per_client" and "at most 16 per client" in detail["msg"]
            response = await other.send(other.build_request("GET", url), stream=True)
            assert response.status_code == 200
            lines = response.aiter_lines()
            assert (await asyncio.wait_for(anext(lines), 10)).startswith("id: ")
            await response.aclose()
        finally:
            for response, _ in held:
                await response.aclose()
