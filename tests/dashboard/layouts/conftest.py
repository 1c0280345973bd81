"""Fixtures for the layouts API: the dashboard app on each store (the in-memory fake, a
SQLite file, a PostgreSQL schema of its own), a controllable clock, and documents."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from dashboard.app import create_app
from dashboard.settings import DashboardSettings
from tests.support.postgres import POSTGRES, SQLITE, store_url
from tests.support.asgi import lifespan_client
from tests.support.clock import FakeClock


def window(widget: str = "page-views", window_id: str | None = None, **attributes) -> dict:
    state = {"widgetId": widget, "version": "0.1.0", "attributes": attributes}
    if window_id:
        state["windowId"] = window_id
    return {"type": "component", "componentType": "tessera-widget", "componentState": state, "title": widget}


def layout_doc(*windows: dict, title: str = "Traffic", **extra) -> dict:
    """The smallest valid create body (golden-layout LayoutConfig of a row of windows)."""
    content = list(windows) or [window("page-views", "a", site="demo.local")]
    return {"title": title, "layout": {"root": {"type": "row", "content": copy.deepcopy(content)}}, **extra}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 29, 10, 0, tzinfo=UTC))


@pytest.fixture(params=["memory", SQLITE, POSTGRES])
def database_url(request, tmp_path):
    """Each API test runs on the fake, then a SQLite file, then PostgreSQL."""
    with store_url(request.param, tmp_path, "dashboard.db", "layouts_test") as url:
        yield url


@pytest.fixture(params=[SQLITE, POSTGRES])
def real_database_url(request, tmp_path):
    """Only the real databases (SQLite file, PostgreSQL)."""
    with store_url(request.param, tmp_path, "dashboard.db", "layouts_test") as url:
        yield url


@contextlib.asynccontextmanager
async def running(settings: DashboardSettings, clock) -> AsyncIterator[httpx.AsyncClient]:
    async with lifespan_client(create_app(settings, clock=clock), "http://dashboard.test") as client:
        yield client


def settings_for(url: str, **overrides) -> DashboardSettings:
    return DashboardSettings(database_url=url, registry_url="http://127.0.0.1:9", query_url="http://127.0.0.1:9",
                             **overrides)


@pytest.fixture
async def client(database_url, clock) -> AsyncIterator[httpx.AsyncClient]:
    async with running(settings_for(database_url), clock) as c:
        yield c


@pytest.fixture
def start_app(clock):
    """``start_app(url, **settings)``: async context manager yielding a client."""
    return lambda url, **overrides: running(settings_for(url, **overrides), clock)
