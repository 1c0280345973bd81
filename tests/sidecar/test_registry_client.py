import json

import httpx
import pytest

from sidecar.host_client import HttpHost
from sidecar.manifest import from_lab, resolve
from sidecar.ports import HostUnreachable, ManifestReplaced, RegistryRejected, RegistryUnavailable
from sidecar.registry_client import HttpRegistry, LabRegistry

MANIFEST = resolve({"id": "w", "element": "x-w", "module": "w.js", "label": "W"}, "http://127.0.0.1:8100/w/")


def client_for(handler):
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_put_sends_manifest_origin_and_token():
    seen = {}

    def handler(request):
        seen["request"] = request
        return httpx.Response(201, json={"id": "w", "status": "live", "lease_expires_at": "2026-01-01T00:00:15Z"})

    async with client_for(handler) as client:
        lease = await HttpRegistry(client, "http://r:1/", "http://127.0.0.1:8100", "tok").announce(MANIFEST)
    request = seen["request"]
    assert request.method == "PUT" and str(request.url) == "http://r:1/api/v1/widgets/w"
    assert request.headers["X-Tessera-Origin"] == "http://127.0.0.1:8100"
    assert request.headers["Authorization"] == "Bearer tok"
    assert json.loads(request.content)["module"] == "http://127.0.0.1:8100/w/w.js"
    assert lease.lease_expires_at == "2026-01-01T00:00:15Z"


async def test_no_token_no_authorization_header():
    async with client_for(lambda r: httpx.Response(200, json={})) as client:
        registry = HttpRegistry(client, "http://r:1", "http://o")
        assert "Authorization" not in registry.headers
        await registry.announce(MANIFEST)


async def test_heartbeat_404_is_none():
    async with client_for(lambda r: httpx.Response(404, json={"detail": "unknown"})) as client:
        assert await HttpRegistry(client, "http://r:1", "http://o").heartbeat("w") is None


async def test_4xx_is_rejected_with_the_registry_detail():
    body = {"detail": [{"loc": ["body", "element"], "msg": "belongs to another widget", "type": "conflict"}]}
    async with client_for(lambda r: httpx.Response(409, json=body)) as client:
        with pytest.raises(RegistryRejected) as err:
            await HttpRegistry(client, "http://r:1", "http://o").announce(MANIFEST)
    assert err.value.status == 409
    assert err.value.detail == "body.element: belongs to another widget"


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_5xx_and_429_are_unavailable(status):
    async with client_for(lambda r: httpx.Response(status)) as client:
        with pytest.raises(RegistryUnavailable):
            await HttpRegistry(client, "http://r:1", "http://o").heartbeat("w")


async def test_connection_errors_are_unavailable():
    def handler(request):
        raise httpx.ConnectError("refused")

    async with client_for(handler) as client:
        with pytest.raises(RegistryUnavailable):
            await HttpRegistry(client, "http://r:1", "http://o").withdraw("w")


async def test_withdraw_tolerates_404():
    async with client_for(lambda r: httpx.Response(404)) as client:
        await HttpRegistry(client, "http://r:1", "http://o").withdraw("w")


async def test_lab_registry_posts_the_lab_shape_for_register_and_heartbeat():
    requests = []

    def handler(request):
        requests.append(request)
        return httpx.Response(200, json={})

    async with client_for(handler) as client:
        registry = LabRegistry(client, "http://r:1", "http://127.0.0.1:8100")
        assert await registry.heartbeat("w") is None
        await registry.announce(MANIFEST)
        await registry.heartbeat("w")
    assert [(r.method, r.url.path) for r in requests] == [("POST", "/api/v1/registry/w")] * 2
    body = json.loads(requests[0].content)
    assert body == {"webComponent": {"jsUrl": "http://127.0.0.1:8100/w/w.js", "cssUrl": None, "componentId": "x-w"},
                    "label": "W", "tags": []}


async def test_host_fetch_reports_status_type_and_bytes():
    def handler(request):
        return httpx.Response(200, headers={"content-type": "text/javascript"}, content=b"export {};")

    async with client_for(handler) as client:
        response = await HttpHost(client).fetch("http://h/w.js")
    assert (response.status, response.mime, response.body) == (200, "text/javascript", b"export {};")


async def test_host_unreachable():
    def handler(request):
        raise httpx.ConnectError("refused")

    async with client_for(handler) as client:
        with pytest.raises(HostUnreachable):
            await HttpHost(client).fetch("http://h/w.js")


async def test_heartbeat_names_the_announced_manifest_and_412_is_replaced():
    seen = []

    def handler(request):
        seen.append(request)
        if request.method == "PUT":
            return httpx.Response(201, json={"lease_expires_at": "x"}, headers={"ETag": '"abc"'})
        if request.headers.get("if-match") == '"abc"' and len(seen) == 2:
            return httpx.Response(200, json={"lease_expires_at": "y"})
        return httpx.Response(412, json={"detail": [{"loc": ["header", "if-match"], "msg": "replaced", "type": "t"}]})

    async with client_for(handler) as client:
        registry = HttpRegistry(client, "http://r:1", "http://o")
        await registry.announce(MANIFEST)
        assert (await registry.heartbeat("w")).lease_expires_at == "y"
        with pytest.raises(ManifestReplaced):
            await registry.heartbeat("w")
    assert seen[1].headers["If-Match"] == '"abc"'


async def test_lab_registry_posts_the_labs_own_body():
    """Lab mode announces the lab's BODY as it is (markup componentId, tag map), as JSON."""
    body = ('{"webComponent":{"jsUrl":"http://h:5/bundle.js","cssUrl":"http://h:5/bundle.css",'
            '"componentId":"<kind-test-widget param_one=\\"some param\\"></kind-test-widget>"},'
            '"label":"Kind Test","tags":{"props":"param_one"}}')
    manifest = from_lab("kind-test-widget-web", body, None)
    requests = []

    def handler(request):
        requests.append(request)
        return httpx.Response(200, json={})

    async with client_for(handler) as client:
        await LabRegistry(client, "http://r:1", manifest.origin, "tok").announce(manifest)
    assert json.loads(requests[0].content) == json.loads(body)
    assert requests[0].headers["content-type"] == "application/json"
    assert requests[0].headers["authorization"] == "Bearer tok"
