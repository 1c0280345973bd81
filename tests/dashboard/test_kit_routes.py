"""``/kit/v1/…`` and ``/api/v1/schema/topics/…`` on the real app (a tmp build folder)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from dashboard.app import create_app
from dashboard.kit_routes import KIT_VERSION, TOPICS_DIR
from dashboard.settings import DashboardSettings
from tests.dashboard.conftest import ROOT


@pytest.fixture
def client(tmp_path):
    kit = tmp_path / "kit" / "v1"
    kit.mkdir(parents=True)
    (kit / "table.js").write_text("export const x = 1;\n")
    (kit / "table.d.ts").write_text("export declare const x: number;\n")
    (kit / "table.js.map").write_text("{}")
    (kit / "notes.txt").write_text("not served")
    (tmp_path / "secret.js").write_text("outside the kit")
    settings = DashboardSettings(registry_url="http://registry.test", query_url="http://query.test",
                                 database_url=f"sqlite:///{tmp_path}/d.db", web_dist=str(tmp_path))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_serves_modules_as_javascript_revalidated_hourly_on_the_major_version(client):
    answer = client.get("/kit/v1/table.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert answer.headers["cache-control"] == "public, max-age=3600, stale-while-revalidate=86400"
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["etag"]
    again = client.get("/kit/v1/table.js", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304


def test_the_exact_version_is_immutable(client):
    answer = client.get(f"/kit/v{KIT_VERSION}/table.js")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_declaration_files_and_source_maps(client):
    types = client.get("/kit/v1/table.d.ts")
    assert types.status_code == 200 and types.headers["content-type"].startswith("application/typescript")
    assert client.get("/kit/v1/table.js.map").headers["content-type"] == "application/json"
    assert client.head("/kit/v1/table.js").status_code == 200


@pytest.mark.parametrize("path", ["/kit/v1/notes.txt", "/kit/v1/../secret.js", "/kit/v1/%2e%2e/secret.js",
                                  "/kit/v1/missing.js", "/kit/v2/table.js", "/kit/v0.9.0/table.js"])
def test_refuses_what_is_not_a_kit_file(client, path):
    answer = client.get(path)
    assert answer.status_code == 404
    assert "detail" in answer.json()


def test_topic_schemas_are_listed_and_served(client):
    listing = client.get("/api/v1/schema/topics").json()["items"]
    assert {item["name"] for item in listing} == {"time.range", "site.selected", "page.selected",
                                                  "referrer.selected", "filter.changed"}
    schema = client.get("/api/v1/schema/topics/page.selected")
    assert schema.status_code == 200
    assert schema.headers["content-type"] == "application/schema+json"
    assert schema.json()["required"] == ["path"]
    assert client.get("/api/v1/schema/topics/page.selected@1").status_code == 200
    assert client.get("/api/v1/schema/topics/page.selected@2").status_code == 404
    assert client.get("/api/v1/schema/topics/nope.selected").status_code == 404
    bad = client.get("/api/v1/schema/topics/Robert'); DROP")
    assert bad.status_code == 422 and bad.json()["field"] == "topic"


def test_schemas_are_valid_json_schema_and_the_kit_version_matches_the_modules():
    jsonschema = pytest.importorskip("jsonschema")
    for path in TOPICS_DIR.glob("*.json"):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        assert path.name == f"{schema['x-topic']}.json"
    index = (ROOT / "dashboard/web/kit/v1/index.js").read_text()
    assert re.search(r'KIT_VERSION = "([^"]+)"', index).group(1) == KIT_VERSION
