import pytest

from dashboard.catalogue import Catalogue, shape_catalogue, shape_entry

HOST = "http://127.0.0.1:8100"


def widget(**overrides):
    base = {
        "id": "page-views", "version": "0.1.0", "team": "web-analytics", "label": "Page views",
        "description": "Views per minute.", "tags": ["analytics"], "icon": f"{HOST}/page-views/icon.svg",
        "element": "tessera-page-views", "module": f"{HOST}/page-views/dist/page-views.js",
        "stylesheet": None, "integrity": "sha384-abc", "attributes": {"type": "object", "properties": {}},
        "emits": {"page-views-bucket-selected": {}}, "accepts": {"site-selected": {}},
        "dataProducts": ["tracker.pageviews"], "ttl": 15, "status": "live", "origin": HOST,
        "last_seen": "2026-11-22T10:00:00Z",
    }
    return {**base, **overrides}


def test_entry_rewrites_urls_to_the_dashboard_origin_and_keeps_mesh_fields():
    entry = shape_entry(widget())
    assert entry["module"] == "/widgets/page-views/dist/page-views.js"
    assert entry["icon"] == "/widgets/page-views/icon.svg"
    assert entry["stylesheet"] is None
    assert entry["team"] == "web-analytics"
    assert entry["dataProducts"] == ["tracker.pageviews"]
    assert entry["status"] == "live"
    assert entry["emits"] == {"page-views-bucket-selected": {}}
    assert entry["accepts"] == {"site-selected": {}}
    assert entry["lastSeen"] == "2026-11-22T10:00:00Z"


def test_entry_accepts_snake_case_data_products():
    raw = widget()
    raw["data_products"] = raw.pop("dataProducts")
    assert shape_entry(raw)["dataProducts"] == ["tracker.pageviews"]


def test_stylesheet_on_another_origin_is_dropped():
    assert shape_entry(widget(stylesheet="http://evil.example/x.css"))["stylesheet"] is None


@pytest.mark.parametrize("module", [None, "/relative.js", "javascript:alert(1)"])
def test_unloadable_widgets_are_left_out(module):
    assert shape_entry(widget(module=module)) is None


def test_catalogue_lists_live_and_stale_sorted_by_label_and_hides_gone():
    items = shape_catalogue([
        widget(id="b", label="Zeta", status="stale"),
        widget(id="a", label="alpha"),
        widget(id="c", label="Gone", status="gone"),
    ])
    assert [(i["id"], i["status"]) for i in items] == [("a", "live"), ("b", "stale")]


class FakeRegistry:
    def __init__(self):
        self.widgets = [widget()]
        self.down = False
        self.calls = 0

    async def __call__(self):
        self.calls += 1
        if self.down:
            raise ConnectionError("registry is down")
        return list(self.widgets)


async def test_serves_the_last_good_catalogue_marked_stale_when_the_registry_fails():
    registry, now = FakeRegistry(), [0.0]
    catalogue = Catalogue(registry, cache_seconds=2, clock=lambda: now[0], wall=lambda: 1000.0)
    snapshot = await catalogue.refresh()
    assert not snapshot.stale and list(snapshot.widgets) == ["page-views"]

    registry.down = True
    now[0] = 5.0
    snapshot = await catalogue.refresh()
    body = snapshot.as_json()
    assert body["stale"] is True
    assert "registry is down" in body["error"]
    assert [i["id"] for i in body["items"]] == ["page-views"]
    assert body["fetchedAt"].startswith("1970-01-01T00:16:40")


async def test_refresh_is_cached_for_a_short_while():
    registry, now = FakeRegistry(), [0.0]
    catalogue = Catalogue(registry, cache_seconds=2, clock=lambda: now[0])
    await catalogue.refresh()
    await catalogue.refresh()
    assert registry.calls == 1
    now[0] = 3.0
    await catalogue.refresh()
    assert registry.calls == 2


async def test_find_refreshes_for_an_unknown_id_and_events_update_the_cache():
    registry, now = FakeRegistry(), [0.0]
    catalogue = Catalogue(registry, cache_seconds=0, clock=lambda: now[0])
    assert (await catalogue.find("page-views"))["id"] == "page-views"
    assert await catalogue.find("nope") is None

    catalogue.apply("widget-registered", widget(id="other"))
    assert "other" in catalogue.snapshot.widgets
    catalogue.apply("widget-removed", {"id": "other"})
    # kept, as gone, for the mesh's health; never found for the proxy nor listed for the shell
    assert catalogue.snapshot.widgets["other"]["status"] == "gone"
    assert catalogue.snapshot.widgets["other"]["label"] == "Page views"
    catalogue.snapshot.fetched_at = 1.0
    assert await catalogue.find("other") is None
    assert "other" not in [i["id"] for i in catalogue.snapshot.as_json()["items"]]
    assert "other" in [i["id"] for i in catalogue.snapshot.as_json(include_gone=True)["items"]]


def test_the_mesh_view_includes_gone_widgets_with_their_last_heartbeat():
    items = shape_catalogue([widget(id="a"), widget(id="c", label="Gone", status="gone")], include_gone=True)
    assert [(i["id"], i["status"], i["lastSeen"]) for i in items] == [
        ("c", "gone", "2026-11-22T10:00:00Z"), ("a", "live", "2026-11-22T10:00:00Z")]
