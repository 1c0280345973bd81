"""Shared fixtures: manifests, a controllable clock, and the app on each metadata store."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from registry.entrypoints.app import create_app
from registry.settings import RegistrySettings
from tests.support.asgi import lifespan_client
from tests.support.clock import FakeClock
from tests.support.postgres import POSTGRES, SQLITE, store_url

MANIFEST = {
    "id": "page-views",
    "version": "0.1.0",
    "team": "web-analytics",
    "label": "Page views",
    "description": "Page views and unique visitors per minute for a site.",
    "tags": ["analytics", "traffic"],
    "icon": "icon.svg",
    "element": "tessera-page-views",
    "module": "http://127.0.0.1:8100/page-views/dist/page-views.js",
    "stylesheet": None,
    "integrity": None,
    "attributes": {"type": "object", "properties": {"site": {"type": "string", "default": "demo.local"}}},
    "emits": {"page-views-bucket-selected": {"type": "object", "properties": {"t": {"type": "string"}}}},
    "accepts": {"site-selected": {"type": "object", "properties": {"site": {"type": "string"}}}},
    "dataProducts": ["tracker.pageviews"],
    "ttl": 15,
}


def manifest(**changes) -> dict:
    """The contract's example manifest with ``changes`` applied (None values kept)."""
    doc = copy.deepcopy(MANIFEST)
    doc.update(changes)
    if "id" in changes and "element" not in changes:
        doc["element"] = f"x-{changes['id']}"
    return doc


@pytest.fixture(autouse=True)
def loopback_widget_hosts(monkeypatch):
    """These tests announce widgets hosted on loopback (127.0.0.1:8100, local servers), as
    an operator who allow-listed that network would; the refusal itself: test_origin.py."""
    monkeypatch.setenv("TESSERA_REGISTRY_ALLOWED_NETWORKS", "127.0.0.0/8")


@pytest.fixture
def make_manifest():
    """``make_manifest(**changes)``: the contract's example manifest, changed."""
    return manifest


@pytest.fixture
def start_app():
    """``start_app(settings, clock)``: async context manager yielding an httpx client."""
    return running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 22, 10, 0, tzinfo=UTC))


@pytest.fixture(params=[SQLITE, POSTGRES])
def database_url(request, tmp_path) -> str:
    """The metadata store each integration test runs against: a SQLite file, then PostgreSQL."""
    with store_url(request.param, tmp_path, "registry.db", "registry_test") as url:
        yield url


@contextlib.asynccontextmanager
async def running(settings: RegistrySettings, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan started, behind an in-process httpx client."""
    async with lifespan_client(create_app(settings, clock=clock, upkeep=False), "http://registry.test") as client:
        yield client


@pytest.fixture
async def client(database_url, clock) -> AsyncIterator[httpx.AsyncClient]:
    """An app on a real store (SQLite, then PostgreSQL), in open mode (tokens not enforced)."""
    async with running(RegistrySettings(database_url=database_url, grace_seconds=30, require_tokens=False), clock) as c:
        yield c


@pytest.fixture
async def memory_client(clock) -> AsyncIterator[httpx.AsyncClient]:
    """An app on the in-memory fakes (fast unit tests of the HTTP edge), in open mode."""
    async with running(RegistrySettings(database_url="memory://", grace_seconds=30, require_tokens=False), clock) as c:
        yield c
