"""Composition root and main loop: wire settings to adapters, tick until a signal, withdraw."""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import sys
from collections.abc import Callable

import httpx

from resilience.backoff import Backoff
from resilience.breaker import CircuitBreaker
from sidecar import manifest as manifests
from sidecar.host_client import HttpHost
from sidecar.lifecycle import Lifecycle, line
from sidecar.manifest import Manifest
from sidecar.registry_client import HttpRegistry, LabRegistry
from sidecar.settings import SidecarSettings


def load_manifest(settings: SidecarSettings) -> Manifest:
    """The manifest file, or in lab mode the ``BODY`` env; raises ManifestError."""
    if settings.lab_mode:
        return manifests.from_lab(settings.lab_id, settings.lab_body, settings.widget_url, settings.origin)
    if settings.manifest is None:
        raise manifests.ManifestError("no manifest: pass --manifest (or set ID and BODY for lab mode)")
    return manifests.load(settings.manifest, settings.widget_url, settings.origin)


def bootstrap(
    settings: SidecarSettings,
    manifest: Manifest,
    client: httpx.AsyncClient,
    log: Callable[[str], None],
) -> Lifecycle:
    token = settings.team_token()
    registry_type = LabRegistry if settings.lab_mode else HttpRegistry
    registry = registry_type(client, settings.effective_registry_url, manifest.origin, token)
    rng = random.Random()
    return Lifecycle(
        manifest,
        registry,
        HttpHost(client),
        interval=settings.heartbeat_interval,
        jitter=settings.jitter,
        health_interval=settings.health_interval,
        startup_timeout=settings.startup_timeout,
        backoff=Backoff(base=settings.backoff_base, cap=settings.backoff_cap, rng=rng),
        breaker=CircuitBreaker(settings.failure_threshold, settings.reset_timeout, name="registry"),
        rng=rng,
        log=log,
    )


async def tick_until(lifecycle: Lifecycle, stop: asyncio.Event) -> None:
    """Tick, sleep what the lifecycle asks, and return as soon as ``stop`` is set —
    even mid-tick (the pending request is cancelled)."""
    halt = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            tick = asyncio.ensure_future(lifecycle.tick())
            done, _ = await asyncio.wait({tick, halt}, return_when=asyncio.FIRST_COMPLETED)
            if tick not in done:
                tick.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await tick
                return
            delay = tick.result()
            await asyncio.wait({halt}, timeout=delay)
    finally:
        halt.cancel()


def stderr_log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def run(
    settings: SidecarSettings,
    manifest: Manifest,
    log: Callable[[str], None] = stderr_log,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until ``stop`` is set — by default until SIGTERM/SIGINT — then withdraw.

    Raises HostNeverHealthy or RegistryRejected. Embedders pass their own ``stop`` event
    and no signal handlers are installed.
    """
    signals = (signal.SIGTERM, signal.SIGINT) if stop is None else ()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    timeout = httpx.Timeout(settings.request_timeout)
    try:
        async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
            lifecycle = bootstrap(settings, manifest, client, log)
            ttl = manifest.ttl
            if ttl and settings.heartbeat_interval * (1 + settings.jitter) >= ttl:
                log(line(manifest.id, "warning", reason="heartbeat-interval-not-below-ttl", ttl=ttl))
            log(line(manifest.id, "starting", registry=settings.effective_registry_url,
                     module=manifest.module_url, mode="lab" if settings.lab_mode else "tessera"))
            await tick_until(lifecycle, stop)
            await lifecycle.stop()
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
