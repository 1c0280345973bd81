"""Schemathesis against the dashboard's own OpenAPI document (the layouts routes): no
generated request, valid or not, may cause a 5xx."""

from __future__ import annotations

import contextlib

import httpx
import pytest
import schemathesis
import uvicorn

from dashboard.app import create_app
from tests.support.openapi import assert_no_server_error
from tests.support.postgres import postgres_schema
from tests.support.servers import free_port, serving

from .conftest import layout_doc, settings_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def base_url(request, tmp_path_factory):
    port = free_port()
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('layouts-openapi') / 'dashboard.db'}"
        else:
            url = stack.enter_context(postgres_schema("layouts_test"))
        yield from serve(url, port)


def serve(url: str, port: int):
    app = create_app(settings_for(url))
    with serving(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")) as base_url:
        yield base_url


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

    def aim_at_the_real_layout(case):
        if case.path_parameters and "id" in case.path_parameters and hash(str(case.path_parameters)) % 2:
            case.path_parameters["id"] = created["id"]
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {created['editKey']}"}

    assert_no_server_error(schema, base_url, max_examples=400, prepare=aim_at_the_real_layout)
