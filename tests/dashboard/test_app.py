"""The gateway's HTTP surface, with upstreams faked by httpx.MockTransport."""

import json
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from dashboard.app import create_app
from dashboard.settings import DashboardSettings

REGISTRY = "http://registry.test"
QUERY = "http://query.test"
HOST = "http://widgets.test:8100"


def page_views(**overrides):
    return {
        "id": "page-views", "version": "0.1.0", "team": "web-analytics", "label": "Page views",
        "description": "d", "tags": ["analytics"], "icon": f"{HOST}/page-views/icon.svg",
        "element": "tessera-page-views", "module": f"{HOST}/page-views/dist/page-views.js",
        "stylesheet": None, "attributes": {"type": "object", "properties": {}}, "emits": {}, "accepts": {},
        "dataProducts": ["tracker.pageviews"], "status": "live", **overrides,
    }


class Upstreams:
    """A fake network: registry, query service and one widget host."""

    def __init__(self):
        self.widgets = [page_views()]
        self.registry_down = False
        self.query_mode = "ok"
        self.seen: list[httpx.Request] = []
        self.files = {
            "/page-views/dist/page-views.js": ("text/javascript", b"export default 1;"),
            "/page-views/icon.svg": ("image/svg+xml", b"<svg/>"),
            "/secret.txt": ("text/plain", b"secret"),
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        url = str(request.url)
        if url.startswith(REGISTRY):
            if self.registry_down:
                raise httpx.ConnectError("refused")
            return httpx.Response(200, json={"items": self.widgets})
        if url.startswith(QUERY):
            if self.query_mode == "down":
                raise httpx.ConnectError("refused")
            if self.query_mode == "slow":
                raise httpx.ReadTimeout("slow")
            return httpx.Response(200, json={"path": request.url.path, "query": request.url.query.decode()},
                                  headers={"ETag": '"v1"'})
        if url.startswith(HOST):
            if request.url.path in self.files:
                kind, body = self.files[request.url.path]
                return httpx.Response(200, stream=httpx.ByteStream(body), headers={"Content-Type": kind})
            return httpx.Response(404, stream=httpx.ByteStream(b"nope"))
        raise AssertionError(f"unexpected request to {url}")


@pytest.fixture
def upstreams():
    return Upstreams()


@pytest.fixture
def client(upstreams, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>Tessera</title>")
    (dist / "shell.js").write_text("export {};")
    (dist / "shell.css").write_text("body{}")
    settings = DashboardSettings(registry_url=REGISTRY, query_url=QUERY, web_dist=str(dist),
                                 catalogue_cache_seconds=0, retry_attempts=2, breaker_failures=50,
                                 database_url=f"sqlite:///{tmp_path}/dashboard.db")
    with TestClient(create_app(settings, transport=httpx.MockTransport(upstreams))) as test_client:
        yield test_client


def test_catalogue_is_reshaped_for_the_shell(client):
    body = client.get("/api/v1/catalogue").json()
    assert body["stale"] is False
    [entry] = body["items"]
    assert entry["module"] == "/widgets/page-views/dist/page-views.js"
    assert entry["team"] == "web-analytics"
    assert entry["dataProducts"] == ["tracker.pageviews"]


def test_gone_widgets_are_listed_only_for_the_mesh(client, upstreams):
    upstreams.widgets = [page_views(), page_views(id="old-widget", label="Old", status="gone")]
    assert [i["id"] for i in client.get("/api/v1/catalogue").json()["items"]] == ["page-views"]
    body = client.get("/api/v1/catalogue", params={"include": "gone"}).json()
    assert [(i["id"], i["status"]) for i in body["items"]] == [("old-widget", "gone"), ("page-views", "live")]
    assert client.get("/widgets/old-widget/dist/page-views.js").status_code == 404
    response = client.get("/api/v1/catalogue", params={"include": "everything"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "include"]


def test_catalogue_falls_back_to_the_last_good_list_when_the_registry_is_down(client, upstreams):
    assert client.get("/api/v1/catalogue").status_code == 200
    upstreams.registry_down = True
    response = client.get("/api/v1/catalogue")
    assert response.status_code == 200
    body = response.json()
    assert body["stale"] is True and body["error"]
    assert [i["id"] for i in body["items"]] == ["page-views"]


def test_catalogue_without_any_good_answer_is_a_503(client, upstreams):
    upstreams.registry_down = True
    response = client.get("/api/v1/catalogue")
    assert response.status_code == 503
    assert response.json()["items"] == []
    assert response.headers["retry-after"]


def test_widget_files_are_proxied_with_their_type_and_nosniff(client):
    response = client.get("/widgets/page-views/dist/page-views.js")
    assert response.status_code == 200
    assert response.text == "export default 1;"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/widgets/page-views/icon.svg").headers["content-type"] == "image/svg+xml"


def test_unknown_widgets_and_missing_files_are_404(client):
    assert client.get("/widgets/nope/dist/page-views.js").status_code == 404
    assert client.get("/widgets/page-views/dist/missing.js").status_code == 404


@pytest.mark.parametrize("path", [
    "/widgets/page-views/..%2Fsecret.txt", "/widgets/page-views/%2e%2e/secret.txt",
    "/widgets/page-views/dist/..%2F..%2Fsecret.txt", "/widgets/page-views/%2Fsecret.txt",
    "/widgets/page-views/..%5Csecret.txt",
])
def test_traversal_never_reaches_files_outside_the_widget(client, upstreams, path):
    response = client.get(path)
    assert response.status_code == 404
    assert not any(r.url.path == "/secret.txt" for r in upstreams.seen)


def test_widget_host_down_is_a_502_not_a_crash(client, upstreams):
    upstreams.widgets = [page_views(module="http://down.test/page-views/dist/page-views.js", icon=None)]

    def refuse(request):
        if request.url.host == "down.test":
            raise httpx.ConnectError("refused")
        return Upstreams.__call__(upstreams, request)

    client.app.state.gateway.widget_client._transport = httpx.MockTransport(refuse)
    response = client.get("/widgets/page-views/dist/page-views.js")
    assert response.status_code == 502
    assert "unreachable" in response.json()["detail"]


def test_metrics_are_forwarded_verbatim_with_the_query_string(client, upstreams):
    response = client.get("/api/v1/metrics/pageviews?site=demo.local&from=2026-11-22T10%3A00%3A00Z&interval=1m")
    assert response.status_code == 200
    assert response.json() == {
        "path": "/api/v1/metrics/pageviews",
        "query": "site=demo.local&from=2026-11-22T10%3A00%3A00Z&interval=1m",
    }
    assert response.headers["etag"] == '"v1"'


@pytest.mark.parametrize(("mode", "status"), [("down", 502), ("slow", 504)])
def test_metrics_failures_are_json_errors(client, upstreams, mode, status):
    upstreams.query_mode = mode
    response = client.get("/api/v1/metrics/pageviews?site=x")
    assert response.status_code == status
    assert response.json()["upstream"] == "query"


def test_shell_page_carries_a_strict_content_security_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert client.get("/static/shell.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_missing_build_is_a_clear_503(upstreams, tmp_path):
    settings = DashboardSettings(registry_url=REGISTRY, query_url=QUERY, web_dist=str(tmp_path / "none"))
    with TestClient(create_app(settings, transport=httpx.MockTransport(upstreams))) as client:
        response = client.get("/")
    assert response.status_code == 503
    assert "npm run build" in response.text


def test_healthz(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert json.dumps(body["upstreams"])


def test_head_requests_for_widget_files(client, upstreams):
    response = client.head("/widgets/page-views/dist/page-views.js")
    assert response.status_code == 200
    assert upstreams.seen[-1].method == "HEAD"


def test_a_module_matching_its_announced_integrity_is_served(client, upstreams):
    from dashboard.integrity import digest

    upstreams.widgets = [page_views(integrity=digest(b"export default 1;"))]
    response = client.get("/widgets/page-views/dist/page-views.js")
    assert response.status_code == 200
    assert response.text == "export default 1;"


def test_a_module_asked_for_under_its_integrity_is_immutable_and_only_then(client, upstreams):
    from dashboard.integrity import digest

    integrity = digest(b"export default 1;")
    upstreams.widgets = [page_views(integrity=integrity)]
    response = client.get("/widgets/page-views/dist/page-views.js", params={"v": integrity})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = client.get("/widgets/page-views/dist/page-views.js", params={"v": digest(b"an older build")})
    assert stale.headers["cache-control"] == "no-cache"
    assert client.get("/widgets/page-views/dist/page-views.js").headers["cache-control"] == "no-cache"
    assert client.get("/widgets/page-views/icon.svg", params={"v": integrity}).headers["cache-control"] == "no-cache"


def test_a_verified_module_is_served_from_memory_until_a_new_build_is_announced(client, upstreams):
    from dashboard.integrity import digest

    integrity = digest(b"export default 1;")
    upstreams.widgets = [page_views(integrity=integrity)]
    assert client.get("/widgets/page-views/dist/page-views.js").status_code == 200
    host_calls = lambda: sum(str(r.url).startswith(HOST) for r in upstreams.seen)  # noqa: E731
    before = host_calls()
    again = client.get("/widgets/page-views/dist/page-views.js", params={"v": integrity})
    assert again.text == "export default 1;" and again.headers["x-content-type-options"] == "nosniff"
    assert again.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert host_calls() == before  # no trip to the widget host
    upstreams.files["/page-views/dist/page-views.js"] = ("text/javascript", b"export default 2;")
    upstreams.widgets = [page_views(integrity=digest(b"export default 2;"))]
    client.get("/api/v1/catalogue")  # the dashboard learns of the new build (the registry's feed, a refresh)
    assert client.get("/widgets/page-views/dist/page-views.js").text == "export default 2;"
    assert host_calls() == before + 1


def test_the_shell_page_carries_the_catalogue_without_gone_widgets(client, upstreams):
    import json
    import re

    upstreams.widgets = [page_views(label="</script><script>alert(1)</script>"),
                         page_views(id="old", status="gone")]
    html = client.get("/").text
    assert "<script>alert(1)" not in html
    seed = re.search(r'<script type="application/json" id="tessera-catalogue-seed">(.*?)</script>', html).group(1)
    assert [(i["id"], i["label"]) for i in json.loads(seed)["items"]] == [
        ("page-views", "</script><script>alert(1)</script>")]
    upstreams.registry_down = True
    client.get("/api/v1/catalogue")  # the last good list is now stale: no seed
    assert "tessera-catalogue-seed" not in client.get("/l/abc").text


def test_a_module_that_changed_behind_the_registry_is_refused(client, upstreams):
    from dashboard.integrity import digest

    upstreams.widgets = [page_views(integrity=digest(b"something else"))]
    response = client.get("/widgets/page-views/dist/page-views.js")
    assert response.status_code == 502
    assert "integrity" in response.json()["detail"]
    # other files of the widget are not hashed by the sidecar and still flow
    assert client.get("/widgets/page-views/icon.svg").status_code == 200


def test_unknown_widget_while_the_registry_is_down_is_a_503(client, upstreams):
    upstreams.registry_down = True
    response = client.get("/widgets/page-views/dist/page-views.js")
    assert response.status_code == 503
    assert "registry is unreachable" in response.json()["detail"]


def test_known_widgets_stay_routable_while_the_registry_is_down(client, upstreams):
    assert client.get("/api/v1/catalogue").status_code == 200
    upstreams.registry_down = True
    assert client.get("/widgets/page-views/dist/page-views.js").status_code == 200


def seeded(html: str) -> dict | None:
    import re

    found = re.search(r'<script type="application/json" id="tessera-layout-seed">(.*?)</script>', html)
    return json.loads(found.group(1)) if found else None


def a_layout(client, title="Web analytics", owner="Tessera", widget="page-views", version=None) -> str:
    state = {"widgetId": widget, "windowId": "w1", "attributes": {"site": "demo.local"}}
    if version:
        state["version"] = version
    body = {"title": title, "owner": owner, "layout": {"root": {"type": "row", "content": [
        {"type": "component", "componentType": "tessera-widget", "title": "Views", "componentState": state}]}}}
    response = client.post("/api/v1/layouts", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def patient_seeds(monkeypatch):
    """The page waits for its seeds as long as a loaded test machine needs (the 250 ms budgets are
    for users: a slow store or registry costs no page its first byte, tested below)."""
    from dashboard import layout_seed, shell

    monkeypatch.setattr(layout_seed, "WAIT_SECONDS", 30.0)
    monkeypatch.setattr(shell, "SEED_WAIT_SECONDS", 30.0)


def test_a_slow_layout_store_sends_the_page_without_its_seed(client, monkeypatch):
    from dashboard import layout_seed

    layout = a_layout(client)
    slow = layout_seed.read_seed

    def read_slowly(layouts, layout_id):
        time.sleep(2.0)
        return slow(layouts, layout_id)

    monkeypatch.setattr(layout_seed, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(layout_seed, "read_seed", read_slowly)
    started = time.monotonic()
    html = client.get(f"/l/{layout}").text
    assert seeded(html) is None  # the shell asks the layouts API itself
    assert time.monotonic() - started < 1.5  # not the store's 2 s


def test_the_home_page_carries_the_default_layout_and_preloads_its_widget_modules(client, upstreams, patient_seeds):
    from dashboard.integrity import digest

    integrity = digest(b"export default 1;")
    upstreams.widgets = [page_views(integrity=integrity)]
    assert seeded(client.get("/").text) is None  # no default layout yet
    a_layout(client, title="Web analytics", owner="Mallory")  # the right title, not Tessera's
    assert seeded(client.get("/").text) is None
    default = a_layout(client)
    html = client.get("/").text
    seed = seeded(html)
    assert seed == {"default": True, "layout": client.get(f"/api/v1/layouts/{default}").json()}  # the API's answer
    url = "/widgets/page-views/dist/page-views.js?v=" + integrity.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert f'<link rel="modulepreload" href="{url}" integrity="{integrity}">' in html
    assert client.get(url).headers["cache-control"] == "public, max-age=31536000, immutable"  # the URL the shell imports
    assert seeded(client.get("/?new").text) is None  # "New layout" opens no layout
    assert 'modulepreload" href="/widgets/' not in client.get("/gallery").text


def test_a_layout_page_carries_its_latest_version_only(client, upstreams, patient_seeds):
    layout = a_layout(client, title="Mine </script><script>alert(1)</script>", owner="me", version="9.9.9")
    html = client.get(f"/l/{layout}").text
    assert "<script>alert(1)" not in html
    assert seeded(html) == {"default": False, "layout": client.get(f"/api/v1/layouts/{layout}").json()}
    assert 'modulepreload" href="/widgets/' not in html  # pinned to a version not live: a placeholder, no import
    assert seeded(client.get(f"/l/{layout}@1").text) is None
    assert seeded(client.get("/l/no-such-layout").text) is None
    upstreams.registry_down = True
    client.get("/api/v1/catalogue")  # a stale catalogue: no module preloads, the layout is still carried
    assert seeded(client.get(f"/l/{layout}").text)["layout"]["id"] == layout
