"""The sidecar as a real process against a real widget host and a real registry."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sidecar.cli import EXIT_HOST, EXIT_OK, EXIT_REJECTED
from sidecar.manifest import sri

pytestmark = pytest.mark.integration

FAST = ["--interval", "0.5", "--health-interval", "0.3", "--request-timeout", "1"]


def announce_args(host, registry, *extra: str) -> list[str]:
    return ["--manifest", str(host.manifest), "--widget-url", host.widget_url,
            "--registry-url", registry.url, *FAST, *extra]


def test_scaffolded_widget_is_announced_then_deregistered_on_sigterm(registry, host_factory, sidecar_factory, eventually):
    host = host_factory("hello")
    sidecar = sidecar_factory(*announce_args(host, registry))

    widget = eventually(lambda: registry.widgets().get("hello"), 15, "widget in the catalogue")
    assert widget["status"] == "live"
    assert widget["element"] == "qa-hello"
    module_url = host.widget_url + "hello.js"
    assert widget["module"] == module_url
    assert widget["integrity"] == sri(httpx.get(module_url).content)
    assert widget["stylesheet"] == host.widget_url + "hello.css"
    eventually(lambda: sidecar.has_logged("sidecar hello: registered lease_expires_at="), 5, "registered log line")

    sidecar.signal(signal.SIGTERM)
    assert sidecar.wait(10) == EXIT_OK
    assert "sidecar hello: deregistered" in sidecar.output
    assert "hello" not in registry.widgets()
    # gone (DELETE), not stale (an expired lease would be listed as stale for the grace period)
    assert registry.widgets(status="all")["hello"]["status"] == "gone"


def test_heartbeat_404_makes_the_sidecar_register_again(registry, host_factory, sidecar_factory, eventually):
    host = host_factory("phoenix", ttl=15)
    sidecar = sidecar_factory(*announce_args(host, registry))
    eventually(lambda: "phoenix" in registry.widgets(), 15, "first registration")
    assert httpx.delete(registry.url + "/api/v1/widgets/phoenix", timeout=2).status_code == 204
    eventually(lambda: sidecar.has_logged("sidecar phoenix: unknown-to-registry action=re-register"), 5, "404 seen")
    eventually(lambda: sidecar.has_logged("sidecar phoenix: re-registered"), 5, "re-registration")
    assert registry.widgets()["phoenix"]["status"] == "live"


def test_sigint_also_deregisters(registry, host_factory, sidecar_factory, eventually):
    host = host_factory("ctrl-c")
    sidecar = sidecar_factory(*announce_args(host, registry))
    eventually(lambda: "ctrl-c" in registry.widgets(), 15, "widget in the catalogue")
    sidecar.signal(signal.SIGINT)
    assert sidecar.wait(10) == EXIT_OK
    assert "ctrl-c" not in registry.widgets()


def test_registry_restart_trips_the_breaker_then_reregisters(registry, host_factory, sidecar_factory, eventually):
    host = host_factory("survivor")
    sidecar = sidecar_factory(*announce_args(host, registry), env={
        "TESSERA_SIDECAR_FAILURE_THRESHOLD": "2", "TESSERA_SIDECAR_RESET_TIMEOUT": "1",
        "TESSERA_SIDECAR_BACKOFF_CAP": "1"})
    eventually(lambda: "survivor" in registry.widgets(), 15, "first registration")

    registry.kill()
    eventually(lambda: sidecar.has_logged("sidecar survivor: registry-unreachable"), 10, "unreachable log line")
    eventually(lambda: sidecar.has_logged("sidecar survivor: breaker-open"), 10, "breaker opening")

    registry.start(fresh_database=True)  # same port, no memory of the widget
    widget = eventually(lambda: registry.widgets().get("survivor"), 15, "re-registration")
    assert widget["status"] == "live"
    eventually(lambda: sidecar.has_logged("sidecar survivor: breaker-closed"), 5, "breaker closing")
    assert "sidecar survivor: re-registered" in sidecar.output
    assert sidecar.proc.poll() is None


def test_host_down_stops_heartbeats_so_the_widget_goes_stale(registry, host_factory, sidecar_factory, eventually):
    host = host_factory("fragile", ttl=2)
    sidecar = sidecar_factory(*announce_args(host, registry))
    eventually(lambda: registry.widgets().get("fragile", {}).get("status") == "live", 15, "live widget")

    host.stop()
    eventually(lambda: sidecar.has_logged("sidecar fragile: host-unhealthy"), 5, "host-unhealthy log line")
    eventually(lambda: registry.widgets().get("fragile", {}).get("status") == "stale", 10, "stale widget")

    host.start()  # same port
    eventually(lambda: registry.widgets().get("fragile", {}).get("status") == "live", 10, "live again")
    assert "sidecar fragile: re-registered" in sidecar.output


def test_rejection_by_the_registry_exits_4_with_its_detail(registry, host_factory, sidecar_factory):
    host = host_factory("foreign")
    # claim an origin the module does not live under: the registry must refuse it
    sidecar = sidecar_factory(*announce_args(host, registry, "--origin", "http://127.0.0.1:1"))
    assert sidecar.wait(15) == EXIT_REJECTED
    assert "sidecar foreign: rejected status=4" in sidecar.output
    assert "foreign" not in registry.widgets()


def test_host_never_healthy_exits_3(tmp_path, sidecar_factory, unused_port):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"id": "ghost", "element": "x-ghost", "module": "ghost.js"}))
    sidecar = sidecar_factory("--manifest", str(manifest), "--widget-url", f"http://127.0.0.1:{unused_port}/ghost/",
                              "--registry-url", f"http://127.0.0.1:{unused_port}", *FAST, "--startup-timeout", "1.5")
    assert sidecar.wait(10) == EXIT_HOST
    assert "sidecar ghost: waiting-for-host" in sidecar.output
    assert "host-never-healthy" in sidecar.output


def test_lab_mode_announces_through_the_compat_route(registry, host_factory, sidecar_factory, eventually):
    host = host_factory("lab-widget")
    body = {"webComponent": {"jsUrl": host.widget_url + "lab-widget.js", "cssUrl": host.widget_url + "lab-widget.css",
                             "componentId": "qa-lab-widget"}, "label": "Lab widget", "tags": ["lab"]}
    sidecar = sidecar_factory(*FAST, env={"ID": "lab-widget", "BODY": json.dumps(body),
                                          "HOSTPORT": f"127.0.0.1:{registry.port}", "FREQUENCY_IN_SECONDS": "1"})
    eventually(lambda: "lab-widget" in registry.widgets(), 15, "lab widget in the catalogue")
    assert "mode=lab" in sidecar.output
    listing = httpx.get(registry.url + "/api/v1/registry", timeout=2)
    assert listing.status_code == 200 and "lab-widget" in listing.text
    sidecar.signal(signal.SIGTERM)
    assert sidecar.wait(10) == EXIT_OK


def test_team_tokens_are_sent_and_a_missing_one_exits_4(registry_factory, host_factory, sidecar_factory, eventually):
    registry = registry_factory()  # tokens are required by default
    token = registry.issue_token("qa")
    registry.start()
    host = host_factory("guarded")

    refused = sidecar_factory(*announce_args(host, registry))
    assert refused.wait(15) == EXIT_REJECTED
    assert "sidecar guarded: rejected status=401" in refused.output

    sidecar = sidecar_factory(*announce_args(host, registry), env={"TESSERA_SIDECAR_TOKEN": token})
    eventually(lambda: registry.widgets().get("guarded", {}).get("status") == "live", 15, "live with a token")
    assert token not in sidecar.output
    sidecar.signal(signal.SIGTERM)
    assert sidecar.wait(10) == EXIT_OK
    assert registry.widgets(status="all")["guarded"]["status"] == "gone"


def test_built_in_page_views_widget_is_announced(registry, sidecar_factory, eventually, unused_port, tmp_path):
    widgets = Path(__file__).resolve().parents[2] / "widgets"
    manifest = widgets / "page-views" / "manifest.json"
    module = json.loads(manifest.read_text())["module"]
    if not (widgets / "page-views" / module).exists():
        pytest.skip(f"widgets/page-views/{module} is not built (make build)")
    argv = [sys.executable, "-m", "http.server", str(unused_port), "--bind", "127.0.0.1", "--directory", str(widgets)]
    host = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        widget_url = f"http://127.0.0.1:{unused_port}/page-views/"
        eventually(lambda: httpx.get(widget_url + module).status_code == 200, 10, "widget host")
        sidecar = sidecar_factory("--manifest", str(manifest), "--widget-url", widget_url,
                                  "--registry-url", registry.url, *FAST)
        widget = eventually(lambda: registry.widgets().get("page-views"), 15, "page-views in the catalogue")
        assert widget["element"] == "tessera-page-views"
        assert widget["integrity"] == sri(httpx.get(widget_url + module).content)
        sidecar.signal(signal.SIGTERM)
        assert sidecar.wait(10) == EXIT_OK
    finally:
        host.terminate()
        host.wait(5)


def test_lab_mode_announces_the_labs_own_body_with_a_token_file(registry_factory, host_factory, sidecar_factory, eventually, tmp_path):
    """The lab's env (ID, BODY, HOSTPORT, FREQUENCY_IN_SECONDS), its markup and tag map, plus a token file."""
    registry = registry_factory()
    token_file = tmp_path / "qa.token"
    token_file.write_text(registry.issue_token("qa") + "\n")
    registry.start()
    host = host_factory("lab-widget")
    body = {"webComponent": {"jsUrl": host.widget_url + "lab-widget.js", "cssUrl": host.widget_url + "lab-widget.css",
                             "componentId": '<qa-lab-widget param_one="some param"></qa-lab-widget>'},
            "label": "Lab widget", "tags": {"props": "param_one"}, "team": "qa"}
    sidecar = sidecar_factory(*FAST, env={"ID": "lab-widget", "BODY": json.dumps(body), "HOSTPORT": f"127.0.0.1:{registry.port}",
                                          "FREQUENCY_IN_SECONDS": "1", "TESSERA_SIDECAR_TOKEN_FILE": str(token_file)})
    eventually(lambda: "lab-widget" in registry.widgets(), 15, "lab widget in the catalogue")
    [entry] = httpx.get(registry.url + "/api/v1/registry", timeout=2).json()
    assert entry["id"] == "lab-widget" and entry["service"] == {k: body[k] for k in ("webComponent", "label", "tags")}
    assert registry.widgets()["lab-widget"]["attributes"]["properties"]["param_one"]["default"] == "some param"
    sidecar.signal(signal.SIGTERM)
    assert sidecar.wait(10) == EXIT_OK


def test_a_swapped_manifest_is_not_kept_alive_the_sidecar_puts_its_own_back(registry_factory, host_factory, sidecar_factory, eventually):
    registry = registry_factory()
    token = registry.issue_token("qa")
    registry.start()
    host = host_factory("owned")
    sidecar = sidecar_factory(*announce_args(host, registry), env={"TESSERA_SIDECAR_TOKEN": token})
    original = eventually(lambda: registry.widgets().get("owned"), 15, "owned in the catalogue")
    swapped = {k: v for k, v in original.items() if k in json.loads(host.manifest.read_text())}
    swapped.update(label="Swapped", module=host.widget_url + "evil.js", integrity=None)
    r = httpx.put(registry.url + "/api/v1/widgets/owned", json=swapped, timeout=2,
                  headers={"Authorization": f"Bearer {token}", "X-Tessera-Origin": host.widget_url})
    assert r.status_code == 200, r.text
    eventually(lambda: sidecar.has_logged("manifest-replaced"), 10, "the sidecar notices the swap")
    eventually(lambda: registry.widgets()["owned"]["label"] == original["label"], 10, "its own manifest back")
    assert registry.widgets()["owned"]["module"] == original["module"]
