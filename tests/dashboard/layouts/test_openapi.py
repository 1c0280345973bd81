"""Schemathesis against the dashboard's own OpenAPI document (the layouts routes): no
generated request, valid or not, may cause a 5xx."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from dashboard.app import create_app

from .conftest import layout_doc, postgres_schema, settings_for

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def base_url(request, tmp_path_factory):
    port = free_port()
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('layouts-openapi') / 'dashboard.db'}"
        else:
            url = stack.enter_context(postgres_schema())
        yield from serve(url, port)


def serve(url: str, port: int):
    import uvicorn

    app = create_app(settings_for(url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_openapi_lists_the_contract_routes(base_url):
    paths = httpx.get(f"{base_url}/api/openapi.json").json()["paths"]
    for path in ("/api/v1/layouts", "/api/v1/layouts/{id}", "/api/v1/layouts/{id}/versions",
                 "/api/v1/layouts/{id}/diff", "/api/v1/layouts/{id}/restore", "/api/v1/layouts/{id}/clone",
                 "/api/v1/layouts/{id}/links", "/api/v1/layouts/{id}/links/{link_id}", "/api/v1/shared/{token}",
                 "/api/v1/schema/layout"):
        assert path in paths


def test_no_generated_request_causes_a_server_error(base_url):
    # a real layout, so generated ids and versions sometimes hit something that exists
    created = httpx.post(f"{base_url}/api/v1/layouts", json=layout_doc()).json()
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json").include(
        path_regex=r"^/api/v1/(layouts|shared|schema/layout)")
    strategy = schema.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE) | schema.as_strategy(
        generation_mode=schemathesis.GenerationMode.NEGATIVE)

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def check(case):
        if case.path_parameters and "id" in case.path_parameters and hash(str(case.path_parameters)) % 2:
            case.path_parameters["id"] = created["id"]
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {created['editKey']}"}
        response = case.call(base_url=base_url, timeout=10)
        assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"

    check()
