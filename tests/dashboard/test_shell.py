"""The shell's HTML routes: which page each address serves, and the headers of pages that
carry a capability token."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dashboard.app import create_app
from dashboard.settings import DashboardSettings


@pytest.fixture
def client(tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>editor</title>")
    (dist / "shell.js").write_text("export {};")
    (dist / "view.html").write_text("<!doctype html><title>casual</title>")
    (dist / "view.js").write_text("export {};")
    settings = DashboardSettings(registry_url="http://127.0.0.1:9", query_url="http://127.0.0.1:9", web_dist=str(dist),
                                 database_url=f"sqlite:///{tmp_path}/dashboard.db")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/", "/gallery", "/l/abc123", "/l/abc123@4"])
def test_editor_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "<title>editor</title>" in response.text
    assert response.headers["cache-control"] == "no-cache"


def test_editor_pages_preload_every_kit_module(client, tmp_path):
    kit = tmp_path / "dist" / "kit" / "v1"
    kit.mkdir(parents=True)
    for name in ("index.js", "data-client.js", "theme.js", "table.d.ts"):
        (kit / name).write_text("export {};")
    html = client.get("/").text
    assert html.count('rel="modulepreload"') == 2
    assert '<link rel="modulepreload" href="/kit/v1/data-client.js">' in html
    assert '<link rel="modulepreload" href="/kit/v1/theme.js">' in html
    assert "modulepreload" not in client.get("/gallery").text


def test_an_edit_link_opens_the_editor_and_is_never_cached(client):
    response = client.get("/e/tel_abcdefghijklmnop")
    assert "<title>editor</title>" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_view_link_opens_the_casual_view_and_is_never_cached(client):
    response = client.get("/v/tvl_abcdefghijklmnop")
    assert "<title>casual</title>" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_anything_deeper_is_not_a_page(client):
    for path in ["/l/a/b", "/v/a/b", "/e/", "/gallery/x"]:
        assert client.get(path).status_code == 404, path


def test_a_missing_casual_view_build_is_a_clear_503(client, tmp_path):
    (tmp_path / "dist" / "view.js").unlink()
    response = client.get("/v/tvl_abc")
    assert response.status_code == 503 and "npm run build" in response.text


def test_assets_are_answered_whole_from_memory_and_revalidated_by_etag(client, tmp_path):
    bundle = tmp_path / "dist" / "shell.js"
    bundle.write_text("export const a = 1;" * 1000)
    first = client.get("/static/shell.js")
    assert first.status_code == 200 and first.text == bundle.read_text()
    assert first.headers["content-type"] == "text/javascript; charset=utf-8"
    assert first.headers["cache-control"] == "no-cache" and "script-src 'self'" in first.headers["content-security-policy"]
    again = client.get("/static/shell.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    part = client.get("/static/shell.js", headers={"Range": "bytes=0-5"})
    assert part.status_code == 206 and part.text == "export"
    bundle.write_text("export const b = 2;")  # a new build: a new body and ETag
    rebuilt = client.get("/static/shell.js", headers={"If-None-Match": first.headers["etag"]})
    assert rebuilt.status_code == 200 and rebuilt.text == "export const b = 2;"
    assert client.get("/static/missing.js").status_code == 404
    head = client.head("/static/shell.js")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == rebuilt.headers["etag"]


def test_the_kit_facades_are_not_preloaded(client, tmp_path):
    kit = tmp_path / "dist" / "kit" / "v1"
    kit.mkdir(parents=True)
    for name in ("index.js", "kit.js", "time-series.js"):
        (kit / name).write_text("export {};")
    for name in ("data-client.js", "theme.js"):
        (kit / name).write_text('// kit facade: /kit/v1/x.js\nexport { a } from "./kit.js";\n')
    html = client.get("/l/abc123").text
    assert html.count('rel="modulepreload"') == 2
    assert '<link rel="modulepreload" href="/kit/v1/kit.js"><link rel="modulepreload" href="/kit/v1/time-series.js">' in html


def test_the_pages_ask_for_the_icon_once():
    # the header's logo is inline: a second request for favicon.svg took one of the six
    # connections the first render's queries wait for
    web = Path(__file__).resolve().parents[2] / "dashboard" / "web"
    for name in ("index.html", "view.html"):
        html = (web / name).read_text()
        assert html.count("favicon.svg") == 1 and 'class="brand"' in html, name
