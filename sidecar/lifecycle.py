"""The sidecar's state machine: watch the widget host, announce, heartbeat, back off,
re-announce, withdraw. Pure: time, randomness, the registry and the host are injected.

``tick()`` does whatever is due and returns how long to sleep before the next tick.
Every phase change and breaker change is reported as one structured line.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from enum import StrEnum

from resilience.backoff import Backoff
from resilience.breaker import BreakerState, CircuitBreaker
from sidecar.manifest import Manifest, sri
from sidecar.ports import (
    HostPort,
    HostUnreachable,
    Lease,
    ManifestReplaced,
    RegistryPort,
    RegistryRejected,
    RegistryUnavailable,
)


class Phase(StrEnum):
    STARTING = "waiting-for-host"
    ANNOUNCING = "announcing"
    REGISTERED = "registered"
    HOST_UNHEALTHY = "host-unhealthy"
    REGISTRY_UNREACHABLE = "registry-unreachable"
    DEREGISTERED = "deregistered"


class HostNeverHealthy(Exception):
    """The widget host did not become healthy within the startup timeout."""


def line(widget_id: str, event: str, **fields: object) -> str:
    """``sidecar <id>: <event> k=v ...`` — one log line per state change."""
    pairs = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
    return f"sidecar {widget_id}: {event}" + (f" {pairs}" if pairs else "")


class Lifecycle:
    def __init__(
        self,
        manifest: Manifest,
        registry: RegistryPort,
        host: HostPort,
        *,
        interval: float = 3.0,
        jitter: float = 0.2,
        health_interval: float = 2.0,
        startup_timeout: float = 0.0,
        backoff: Backoff | None = None,
        breaker: CircuitBreaker | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        self.manifest = manifest
        self.registry = registry
        self.host = host
        self.interval = interval
        self.jitter = jitter
        self.health_interval = health_interval
        self.startup_timeout = startup_timeout
        self.clock = clock
        self.rng = rng or random.Random()
        self.backoff = backoff or Backoff(rng=self.rng)
        self.breaker = breaker or CircuitBreaker(clock=clock)
        self._breaker_listener = self.breaker.on_change
        self.breaker.on_change = self._breaker_changed
        self.log = log

        self.phase = Phase.STARTING
        self.started_at = clock()
        self.host_healthy = False
        self.said_waiting = False
        self.integrity: str | None = None
        self.lease: Lease | None = None
        self.announced = False
        self.maybe_known = False
        self.needs_announce = True
        self.failures = 0
        self.next_health_at = self.started_at
        self.next_call_at = self.started_at

    @property
    def widget_id(self) -> str:
        return self.manifest.id

    async def tick(self) -> float:
        now = self.clock()
        if now >= self.next_health_at:
            await self._check_host()
        if not self.host_healthy:
            if (
                self.phase is Phase.STARTING
                and self.startup_timeout
                and self.clock() - self.started_at >= self.startup_timeout
            ):
                raise HostNeverHealthy(f"widget host not healthy after {self.startup_timeout:g}s")
            return self._until(self.next_health_at)
        if self.clock() >= self.next_call_at:
            await self._talk_to_registry()
        return self._until(min(self.next_health_at, self.next_call_at))

    async def stop(self) -> None:
        """Withdraw the widget if it was ever announced; one attempt, never raises."""
        if not (self.announced or self.maybe_known):
            self._enter(Phase.DEREGISTERED, reason="never-registered")
            return
        try:
            await self.registry.withdraw(self.widget_id)
        except (RegistryUnavailable, RegistryRejected) as exc:
            self.log(line(self.widget_id, "deregister-failed", error=_quote(exc)))
            self.phase = Phase.DEREGISTERED
            return
        self.announced = self.maybe_known = False
        self._enter(Phase.DEREGISTERED)

    # -- widget host ---------------------------------------------------------------

    async def _check_host(self) -> None:
        self.next_health_at = self.clock() + self.health_interval
        try:
            response = await self.host.fetch(self.manifest.module_url)
            problem = response.problem()
        except HostUnreachable as exc:
            problem = f"unreachable: {exc}"
        if problem is not None:
            if self.phase is Phase.STARTING and not self.said_waiting:
                self.said_waiting = True
                self.log(line(self.widget_id, "waiting-for-host", url=self.manifest.module_url, reason=_quote(problem)))
            elif self.phase not in (Phase.STARTING, Phase.HOST_UNHEALTHY):
                self._enter(Phase.HOST_UNHEALTHY, reason=_quote(problem), heartbeats="paused")
            self.host_healthy = False
            self.needs_announce = True
            return
        integrity = sri(response.body)
        if integrity != self.integrity:
            if self.integrity is not None:
                self.log(line(self.widget_id, "module-changed", integrity=integrity))
            self.integrity = integrity
            self.manifest = self.manifest.with_integrity(integrity)
            self.needs_announce = True
        if not self.host_healthy:
            self.host_healthy = True
            self.log(line(self.widget_id, "host-healthy", url=self.manifest.module_url))
            self.next_call_at = self.clock()
            if self.phase in (Phase.STARTING, Phase.HOST_UNHEALTHY):
                self.phase = Phase.ANNOUNCING

    # -- registry ------------------------------------------------------------------

    async def _talk_to_registry(self) -> None:
        if not self.breaker.allow():
            self.next_call_at = self.clock() + max(self.breaker.retry_after(), 0.05)
            return
        try:
            if self.needs_announce:
                self.maybe_known = True  # a cancelled or timed-out PUT may still have landed
                lease = await self.registry.announce(self.manifest)
                event = "re-registered" if self.announced else "registered"
                self.announced = True
                self.needs_announce = False
            else:
                lease = await self.registry.heartbeat(self.widget_id)
                event = "registered"
                if lease is None:
                    self.breaker.record_success()
                    self.log(line(self.widget_id, "unknown-to-registry", action="re-register"))
                    self.needs_announce = True
                    self.next_call_at = self.clock()
                    return
        except RegistryUnavailable as exc:
            self._failed(exc)
            return
        except ManifestReplaced:
            self.breaker.record_success()
            self.log(line(self.widget_id, "manifest-replaced", action="re-register"))
            self.needs_announce = True
            self.next_call_at = self.clock()
            return
        except RegistryRejected:
            self.breaker.record_success()
            raise
        self.breaker.record_success()
        self.failures = 0
        self.lease = lease
        self.next_call_at = self.clock() + self._jittered(self.interval)
        if self.phase is not Phase.REGISTERED or event == "re-registered":
            self._enter(Phase.REGISTERED, event=event, lease_expires_at=lease.lease_expires_at)

    def _failed(self, exc: Exception) -> None:
        self.breaker.record_failure()
        self.needs_announce = True
        wait = max(self.backoff.delay(self.failures), self.breaker.retry_after())
        self.failures += 1
        self.next_call_at = self.clock() + wait
        if self.phase is not Phase.REGISTRY_UNREACHABLE:
            self._enter(Phase.REGISTRY_UNREACHABLE, error=_quote(exc), retry_in=f"{wait:.2f}s")

    def _breaker_changed(self, old: BreakerState, new: BreakerState) -> None:
        self.log(line(self.widget_id, f"breaker-{new.value}", was=old.value, failures=self.breaker.failures))
        if self._breaker_listener is not None:
            self._breaker_listener(old, new)

    # -- helpers -------------------------------------------------------------------

    def _enter(self, phase: Phase, event: str | None = None, **fields: object) -> None:
        self.phase = phase
        self.log(line(self.widget_id, event or phase.value, **fields))

    def _jittered(self, seconds: float) -> float:
        return seconds * (1 + self.rng.uniform(-self.jitter, self.jitter))

    def _until(self, moment: float) -> float:
        return max(0.0, moment - self.clock())


def _quote(value: object) -> str:
    text = str(value).replace('"', "'")
    return f'"{text}"' if any(c.isspace() for c in text) else text
