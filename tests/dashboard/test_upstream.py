import asyncio

import httpx
import pytest

from dashboard.upstream import Upstream, UpstreamFailure
from resilience import Backoff, Bulkhead, CircuitBreaker


def upstream(handler, *, attempts=3, failures=5) -> Upstream:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), timeout=1.0)
    return Upstream(
        "registry", "http://registry.test", client,
        breaker=CircuitBreaker(failures, 30.0, name="registry"),
        bulkhead=Bulkhead(2, "registry"), stream_bulkhead=Bulkhead(2, "registry-streams"),
        backoff=Backoff(base=0.0, cap=0.0), attempts=attempts,
    )


async def test_get_json_retries_server_errors_then_succeeds():
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"items": []})])
    up = upstream(lambda request: next(answers))
    assert await up.get_json("/api/v1/widgets") == {"items": []}
    assert up.breaker.failures == 0


async def test_get_json_gives_up_with_502_after_its_attempts():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("refused")

    up = upstream(handler, attempts=3)
    with pytest.raises(UpstreamFailure) as failure:
        await up.get_json("/api/v1/widgets")
    assert failure.value.status == 502
    assert len(calls) == 3


async def test_timeouts_become_504():
    def handler(request):
        raise httpx.ReadTimeout("slow")

    with pytest.raises(UpstreamFailure) as failure:
        await upstream(handler, attempts=1).get_json("/x")
    assert failure.value.status == 504


async def test_an_open_breaker_fails_fast_with_503_and_retry_after():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("refused")

    up = upstream(handler, attempts=1, failures=2)
    for _ in range(2):
        with pytest.raises(UpstreamFailure):
            await up.get_json("/x")
    with pytest.raises(UpstreamFailure) as failure:
        await up.get_json("/x")
    assert failure.value.status == 503
    assert failure.value.retry_after > 0
    assert len(calls) == 2


async def test_invalid_json_is_a_502():
    up = upstream(lambda request: httpx.Response(200, text="<html>"))
    with pytest.raises(UpstreamFailure) as failure:
        await up.get_json("/x")
    assert failure.value.status == 502


async def test_fetch_forwards_answers_verbatim_even_errors():
    up = upstream(lambda request: httpx.Response(404, json={"detail": "no"}))
    response = await up.fetch("/api/v1/metrics/nope", "a=1&b=2")
    assert response.status_code == 404
    assert response.request.url.query == b"a=1&b=2"


async def test_a_full_bulkhead_refuses_at_once():
    release = asyncio.Event()

    async def handler(request):
        await release.wait()
        return httpx.Response(200, json={})

    up = upstream(handler)
    slow = [asyncio.create_task(up.fetch("/slow")) for _ in range(2)]
    await asyncio.sleep(0.05)
    with pytest.raises(UpstreamFailure) as failure:
        await up.fetch("/fast")
    assert failure.value.status == 503
    release.set()
    await asyncio.gather(*slow)
