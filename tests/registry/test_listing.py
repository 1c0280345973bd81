"""registry/service_layer/listing.py: cached, rendered catalogue listings."""

from datetime import timedelta

import orjson

from registry.adapters.repository import InMemoryWidgetRepository
from registry.service_layer.broadcaster import Broadcaster
from registry.service_layer.catalogue import Filters
from registry.service_layer.listing import Listing
from registry.service_layer.service import Registry


class Ticker:
    t = 0.0

    def __call__(self):
        return self.t


async def test_listing_is_cached_until_a_change_or_max_age(clock, make_manifest):
    registry = Registry(InMemoryWidgetRepository(), Broadcaster(), clock=clock, grace=timedelta(seconds=30))
    ticker = Ticker()
    listing = Listing(registry, max_age=1.0, monotonic=ticker)
    assert orjson.loads(listing.widgets(Filters())) == {"items": []}
    doc = make_manifest()
    await registry.announce("page-views", doc, origin="http://127.0.0.1:8100", team=None)
    first = listing.widgets(Filters())
    assert [i["id"] for i in orjson.loads(first)["items"]] == ["page-views"]
    clock.advance(1)
    registry.heartbeat("page-views", team=None, etag=registry.etag("page-views"))
    assert listing.widgets(Filters()) is first  # heartbeats alone do not re-render within max_age
    ticker.t = 1.5
    refreshed = orjson.loads(listing.widgets(Filters()))
    assert refreshed["items"][0]["last_seen"].startswith("2026-11-22T10:00:01")
    [entry] = orjson.loads(listing.lab())
    assert entry["id"] == "page-views" and entry["lastUpdated"] == "2026-11-22T10:00:01.000Z"
    assert entry["service"]["webComponent"]["componentId"] == '<tessera-page-views site="demo.local"></tessera-page-views>'
    assert entry["service"]["tags"] == {"analytics": "", "traffic": ""}
