"""Schemathesis against the app's own OpenAPI document: no input may cause a 5xx."""

import httpx
import pytest
import schemathesis
import uvicorn

from registry.entrypoints.app import create_app
from registry.settings import RegistrySettings
from tests.support.openapi import assert_no_server_error
from tests.support.servers import free_port, serving

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    db = tmp_path_factory.mktemp("openapi") / "registry.db"
    app = create_app(RegistrySettings(database_url=f"sqlite:///{db}", max_manifest_bytes=8192))
    with serving(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")) as url:
        yield url


def test_openapi_document_lists_the_contract_routes(base_url):
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    for path in ("/api/v1/widgets", "/api/v1/widgets/{id}", "/api/v1/widgets/{id}/heartbeat", "/api/v1/events",
                 "/api/v1/schema/manifest", "/api/v1/registry", "/api/v1/registry/{id}", "/healthz"):
        assert path in paths


def test_manifest_schema_route_serves_a_valid_json_schema(base_url):
    from jsonschema import Draft202012Validator

    r = httpx.get(f"{base_url}/api/v1/schema/manifest")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/schema+json")
    Draft202012Validator.check_schema(r.json())
    assert set(r.json()["required"]) >= {"version", "team", "label", "element", "module"}


def test_no_generated_request_causes_a_server_error(base_url):
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json").exclude(path="/api/v1/events")
    assert_no_server_error(schema, base_url)
