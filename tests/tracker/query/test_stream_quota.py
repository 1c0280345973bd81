"""The query API's live stream: one client address cannot take every stream (real socket, 127.0.0.x)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tests.support.servers import free_port, serving
from tracker.olap.memory import MemoryStore
from tracker.query.app import create_app
from tracker.query.settings import QuerySettings

pytestmark = pytest.mark.integration


@pytest.fixture
def query_url():
    settings = QuerySettings(olap_dsn="chdb:///unused", max_streams_per_client=4, max_streams=6)
    app = create_app(MemoryStore(), settings)
    with serving(server.config(app, EdgeLimits(), host="127.0.0.1", port=free_port(), log_level="warning",
                               timeout_graceful_shutdown=1)) as url:
        yield url


def client_from(address: str) -> httpx.AsyncClient:
    """An HTTP client whose connections come from ``address`` (any 127.0.0.x reaches 127.0.0.1)."""
    return httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=address), timeout=5)


HELD = []  # line iterators of open streams: a dropped one would close its stream


async def open_stream(client: httpx.AsyncClient, url: str):
    """(status, first line of the body, the open response) — the caller closes it."""
    response = await client.send(client.build_request("GET", f"{url}/api/v1/metrics/stream"), stream=True)
    if response.status_code != 200:
        await response.aread()
        return response.status_code, response, response
    lines = response.aiter_lines()
    HELD.append(lines)
    first = await asyncio.wait_for(anext(lines), 5)
    return 200, first, response


async def test_one_client_cannot_take_every_stream(query_url):
    async with client_from("127.0.0.1") as greedy, client_from("127.0.0.2") as other, \
            client_from("127.0.0.3") as third, client_from("127.0.0.4") as fourth:
        opened = [await open_stream(greedy, query_url) for _ in range(4)]
        assert [o[0] for o in opened] == [200] * 4 and opened[0][1].startswith("id: ")
        status, refused, _ = await open_stream(greedy, query_url)
        assert status == 429
        assert refused.json()["detail"][0]["type"] == "limit.max_streams_per_client"
        assert refused.headers["retry-after"]
        served = await open_stream(other, query_url)
        assert served[0] == 200 and served[1].startswith("id: ")
        also = await open_stream(third, query_url)
        assert also[0] == 200
        status, backstop, _ = await open_stream(fourth, query_url)  # 6 open: the shared backstop
        assert status == 503 and backstop.json()["detail"][0]["type"] == "limit.max_streams"
        for _, _, response in opened:
            await response.aclose()
        await asyncio.sleep(1.5)  # the server notices the disconnects (it polls once a second)
        again = await open_stream(greedy, query_url)
        assert again[0] == 200
        for response in (again[2], served[2], also[2]):
            await response.aclose()
        HELD.clear()
