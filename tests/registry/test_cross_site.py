"""The cross-site form takeover from issue 8, in a real Chromium against a running registry.

A page on another site auto-submits a ``text/plain`` HTML form to the lab's
``POST /api/v1/registry/{id}``: a form needs no CORS preflight, and its body can be made
valid JSON. With the registry's defaults this replaced the live widget's module with the
attacker's script; it must change nothing.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.chromium import browser  # noqa: F401 (fixture)
from tests.support.servers import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

WIDGET_HOST = "http://127.0.0.1:8100"
MODULE = f"{WIDGET_HOST}/page-views/dist/page-views.js"


def wait_ok(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{url}: the process exited"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@pytest.fixture(params=["defaults", "open-mode"])
def running_registry(request, tmp_path):
    """``python -m registry`` with make up's settings (only the database is set), or in
    the documented open mode, and the live page-views widget, announced the way make up's
    sidecar does (with its team token)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    env["TESSERA_REGISTRY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'registry.db'}"
    env["TESSERA_REGISTRY_ALLOWED_ORIGINS"] = WIDGET_HOST  # as make up allow-lists its own widget host
    if request.param == "open-mode":
        env["TESSERA_REGISTRY_REQUIRE_TOKENS"] = "false"
    created = subprocess.run([sys.executable, "-m", "registry", "tokens", "create", "--team", "web-analytics"],
                             env=env, capture_output=True, text=True, check=True)
    token = created.stdout.split("token:")[1].split()[0]
    process = subprocess.Popen([sys.executable, "-m", "registry", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ok(base + "/healthz", process)
        manifest = json.loads((Path(__file__).parents[2] / "widgets" / "page-views" / "manifest.json").read_text())
        manifest.update(module=MODULE, icon=None)
        r = httpx.put(f"{base}/api/v1/widgets/page-views", json=manifest,
                      headers={"Authorization": f"Bearer {token}", "X-Tessera-Origin": WIDGET_HOST})
        assert r.status_code in (200, 201), r.text
        yield base
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def attacker_site(tmp_path, running_registry):
    """A page on another site (``localhost`` is not ``127.0.0.1``) with the auto-submitting form."""
    root = tmp_path / "attacker"
    root.mkdir()
    evil = {"webComponent": {"jsUrl": f"{WIDGET_HOST}/evil.js", "cssUrl": None, "componentId": "tessera-page-views"},
            "label": "Page views", "team": "web-analytics", "tags": [], "x": ""}
    name = json.dumps(evil)[:-2]  # ..., "x": "  then "=" and the value "}  =>  ..., "x": "="}
    (root / "index.html").write_text(f"""<!doctype html><title>cute cats</title>
<form id="f" method="POST" enctype="text/plain" action="{running_registry}/api/v1/registry/page-views">
  <input type="hidden" name="{html.escape(name)}" value='"}}'>
</form>
<script>document.getElementById("f").submit();</script>""")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ok(f"http://127.0.0.1:{port}/index.html", process)
        yield f"http://localhost:{port}/index.html"
    finally:
        process.terminate()
        process.wait(10)


def test_a_cross_site_text_plain_form_cannot_replace_a_widgets_module(browser, running_registry, attacker_site):
    page = browser.new_page()
    try:
        with page.expect_response(lambda r: r.url.endswith("/api/v1/registry/page-views")) as answered:
            page.goto(attacker_site)
        response = answered.value
        assert response.request.method == "POST"
        assert response.request.headers["content-type"] == "text/plain"  # the forged request really went out
        assert response.status in (401, 415), response.status
    finally:
        page.close()
    widget = httpx.get(f"{running_registry}/api/v1/widgets/page-views").json()
    assert widget["module"] == MODULE and widget["team"] == "web-analytics"
    announced = json.loads((Path(__file__).parents[2] / "widgets" / "page-views" / "manifest.json").read_text())["version"]
    assert [v["version"] for v in widget["versions"]] == [announced]  # only make up's own announcement
