"""Fixtures for the layouts API: the dashboard app on each store (the in-memory fake, a
SQLite file, a PostgreSQL schema of its own), a controllable clock, and documents."""

from __future__ import annotations

import contextlib
import copy
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from dashboard.app import create_app
from dashboard.settings import DashboardSettings

PG_URL = os.environ.get("TESSERA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def window(widget: str = "page-views", window_id: str | None = None, **attributes) -> dict:
    state = {"widgetId": widget, "version": "0.1.0", "attributes": attributes}
    if window_id:
        state["windowId"] = window_id
    return {"type": "component", "componentType": "tessera-widget", "componentState": state, "title": widget}


def layout_doc(*windows: dict, title: str = "Traffic", **extra) -> dict:
    """The smallest valid create body (golden-layout LayoutConfig of a row of windows)."""
    content = list(windows) or [window("page-views", "a", site="demo.local")]
    return {"title": title, "layout": {"root": {"type": "row", "content": copy.deepcopy(content)}}, **extra}


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def postgres_schema():
    """A fresh schema named for the layouts tests; yields a URL whose search_path is it."""
    if not postgres_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema = f"layouts_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=[
    pytest.param("memory"),
    pytest.param("sqlite", marks=pytest.mark.integration),
    pytest.param("postgres", marks=[pytest.mark.integration, pytest.mark.postgres]),
])
def database_url(request, tmp_path):
    """Each API test runs on the fake, then a SQLite file, then PostgreSQL."""
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/var/dashboard.db"
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture(params=[
    pytest.param("sqlite", marks=pytest.mark.integration),
    pytest.param("postgres", marks=[pytest.mark.integration, pytest.mark.postgres]),
])
def real_database_url(request, tmp_path):
    """Only the real databases (SQLite file, PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/var/dashboard.db"
    else:
        with postgres_schema() as url:
            yield url


@contextlib.asynccontextmanager
async def running(settings: DashboardSettings, clock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://dashboard.test") as client:
            client.app = app  # type: ignore[attr-defined]
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
