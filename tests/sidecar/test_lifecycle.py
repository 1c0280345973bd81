import random

import pytest

from resilience.backoff import Backoff
from resilience.breaker import CircuitBreaker
from sidecar.lifecycle import HostNeverHealthy, Lifecycle, Phase, line
from sidecar.manifest import resolve, sri
from sidecar.ports import HostResponse, InMemoryHost, InMemoryRegistry, RegistryRejected

MODULE = b"export class X extends HTMLElement {}"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def registry():
    return InMemoryRegistry()


@pytest.fixture
def host():
    return InMemoryHost(HostResponse(200, "text/javascript; charset=utf-8", MODULE))


@pytest.fixture
def logs():
    return []


@pytest.fixture
def sidecar(clock, registry, host, logs):
    manifest = resolve(
        {"id": "page-views", "element": "tessera-page-views", "module": "page-views.js", "ttl": 15},
        "http://127.0.0.1:8100/page-views/",
    )
    return Lifecycle(
        manifest, registry, host,
        interval=3.0, jitter=0.0, health_interval=2.0, startup_timeout=10.0,
        backoff=Backoff(base=1.0, cap=8.0, jitter="none"),
        breaker=CircuitBreaker(failure_threshold=3, reset_timeout=5.0, clock=clock),
        clock=clock, rng=random.Random(1), log=logs.append,
    )


async def run_for(sidecar, clock, seconds):
    """Drive the machine like the runner does, jumping the fake clock between ticks."""
    end = clock.now + seconds
    while clock.now < end:
        delay = await sidecar.tick()
        clock.now += max(delay, 0.01)


def events(logs):
    return [entry.split(": ", 1)[1].split(" ")[0] for entry in logs]


async def test_first_tick_checks_host_then_announces_with_integrity(sidecar, registry, host, logs):
    delay = await sidecar.tick()
    assert host.fetched == ["http://127.0.0.1:8100/page-views/page-views.js"]
    assert registry.calls == [("PUT", "page-views")]
    announced = registry.widgets["page-views"].document
    assert announced["integrity"] == sri(MODULE)
    assert announced["module"] == "http://127.0.0.1:8100/page-views/page-views.js"
    assert sidecar.phase is Phase.REGISTERED
    assert delay == pytest.approx(2.0)
    assert any(e.startswith("sidecar page-views: registered lease_expires_at=") for e in logs)


async def test_heartbeats_on_the_interval(sidecar, registry, clock):
    await run_for(sidecar, clock, 10)
    verbs = [verb for verb, _ in registry.calls]
    assert verbs[0] == "PUT" and verbs.count("PUT") == 1
    assert verbs.count("HEARTBEAT") == 3  # at t=3, 6, 9


def test_sri_format():
    assert sri(b"") == "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"


async def test_waits_for_a_healthy_host_before_announcing(sidecar, registry, host, clock, logs):
    host.down = True
    await run_for(sidecar, clock, 5)
    assert registry.calls == []
    assert sidecar.phase is Phase.STARTING
    assert events(logs) == ["waiting-for-host"]
    host.down = False
    await run_for(sidecar, clock, 3)
    assert registry.calls[0] == ("PUT", "page-views")


async def test_host_never_healthy_raises_after_startup_timeout(sidecar, host, clock):
    host.response = HostResponse(404, "text/html", b"nope")
    with pytest.raises(HostNeverHealthy):
        await run_for(sidecar, clock, 11)


@pytest.mark.parametrize("response", [
    HostResponse(200, "text/html", b"<html>"),
    HostResponse(200, "", b"x"),
    HostResponse(500, "text/javascript", b"x"),
])
async def test_wrong_status_or_mime_is_unhealthy(response):
    assert response.problem() is not None


@pytest.mark.parametrize("mime", ["text/javascript", "application/javascript; charset=utf-8", "Text/JavaScript"])
async def test_javascript_mimes_are_healthy(mime):
    assert HostResponse(200, mime, b"x").problem() is None


async def test_unhealthy_host_pauses_heartbeats_and_resumes_with_put(sidecar, registry, host, clock, logs):
    await run_for(sidecar, clock, 4)
    host.down = True
    registry.calls.clear()
    await run_for(sidecar, clock, 20)
    assert registry.calls == []
    assert sidecar.phase is Phase.HOST_UNHEALTHY
    host.down = False
    await run_for(sidecar, clock, 3)
    assert registry.calls[0] == ("PUT", "page-views")
    assert events(logs) == ["host-healthy", "registered", "host-unhealthy", "host-healthy", "re-registered"]


async def test_changed_module_is_reannounced_with_new_integrity(sidecar, registry, host, clock, logs):
    await run_for(sidecar, clock, 1)
    host.response = HostResponse(200, "text/javascript", b"export const v = 2;")
    await run_for(sidecar, clock, 4)
    assert registry.widgets["page-views"].document["integrity"] == sri(b"export const v = 2;")
    assert "module-changed" in events(logs)


async def test_heartbeat_404_reregisters(sidecar, registry, clock, logs):
    await run_for(sidecar, clock, 1)
    registry.widgets.clear()  # the registry restarted without its state
    await run_for(sidecar, clock, 3)
    assert registry.calls[-2:] == [("HEARTBEAT", "page-views"), ("PUT", "page-views")]
    assert "page-views" in registry.widgets
    assert events(logs)[-2:] == ["unknown-to-registry", "re-registered"]


async def test_a_replaced_manifest_is_announced_again(sidecar, registry, clock, logs):
    await run_for(sidecar, clock, 1)
    registry.replaced.add("page-views")  # someone PUT another manifest under our id: 412
    await run_for(sidecar, clock, 4)
    assert registry.calls[-2:] == [("HEARTBEAT", "page-views"), ("PUT", "page-views")]
    assert events(logs)[-2:] == ["manifest-replaced", "re-registered"]


async def test_registry_down_backs_off_opens_breaker_and_reregisters(sidecar, registry, clock, logs):
    await run_for(sidecar, clock, 1)
    registry.down = True
    registry.calls.clear()
    await run_for(sidecar, clock, 30)
    assert sidecar.breaker.state in ("open", "half_open")
    attempts = len(registry.calls)
    # threshold 3 then one probe per 5 s reset timeout: far fewer than one call per 3 s
    assert 3 <= attempts <= 3 + 30 / 5 + 1
    registry.down = False
    await run_for(sidecar, clock, 12)
    assert sidecar.phase is Phase.REGISTERED
    assert sidecar.breaker.state == "closed"
    assert ("PUT", "page-views") in registry.calls
    seen = events(logs)
    assert seen[:5] == ["host-healthy", "registered", "registry-unreachable", "breaker-open", "breaker-half_open"]
    assert seen[-2:] == ["breaker-closed", "re-registered"]


async def test_backoff_grows_between_failures(sidecar, registry, clock):
    await run_for(sidecar, clock, 1)
    registry.down = True
    times = []
    original = registry.heartbeat

    async def spy(widget_id):
        times.append(clock.now)
        return await original(widget_id)

    registry.heartbeat = spy
    await sidecar.tick()  # not due yet
    clock.now = 1003.0
    await sidecar.tick()
    assert sidecar.next_call_at - clock.now == pytest.approx(1.0)  # backoff.delay(0)


async def test_rejection_propagates(sidecar, registry):
    registry.reject = RegistryRejected(409, "body.element: belongs to another widget")
    with pytest.raises(RegistryRejected):
        await sidecar.tick()


async def test_stop_withdraws_once_registered(sidecar, registry, clock, logs):
    await run_for(sidecar, clock, 1)
    await sidecar.stop()
    assert registry.calls[-1] == ("DELETE", "page-views")
    assert registry.widgets == {}
    assert events(logs)[-1] == "deregistered"


async def test_stop_before_registering_does_not_call_the_registry(sidecar, registry):
    await sidecar.stop()
    assert registry.calls == []


async def test_stop_survives_a_dead_registry(sidecar, registry, clock, logs):
    await run_for(sidecar, clock, 1)
    registry.down = True
    await sidecar.stop()
    assert events(logs)[-1] == "deregister-failed"


def test_log_line_shape():
    assert line("page-views", "registered", lease_expires_at="2026-01-01T00:00:00Z", skipped=None) == (
        "sidecar page-views: registered lease_expires_at=2026-01-01T00:00:00Z"
    )


async def test_keeps_the_breakers_own_listener(clock, registry, host):
    seen = []
    breaker = CircuitBreaker(failure_threshold=1, clock=clock, on_change=lambda old, new: seen.append(new.value))
    manifest = resolve({"id": "w", "element": "x-w", "module": "w.js"}, "http://h/")
    sidecar = Lifecycle(manifest, registry, host, breaker=breaker, clock=clock, log=lambda _: None)
    registry.down = True
    await sidecar.tick()
    assert seen == ["open"]
