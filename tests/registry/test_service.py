"""registry/service_layer/service.py on the in-memory fakes, with a controllable clock."""

from datetime import timedelta

import pytest

from registry.adapters.repository import InMemoryWidgetRepository
from registry.domain.events import Kind
from registry.domain.problems import Conflict, Forbidden, ManifestInvalid, NotFound
from registry.domain.status import Status
from registry.service_layer.broadcaster import Broadcaster
from registry.service_layer.catalogue import Filters
from registry.service_layer.service import Registry

ORIGIN = "http://127.0.0.1:8100"


class Recorder(Broadcaster):
    def __init__(self):
        super().__init__()
        self.events = []

    def publish(self, event):
        self.events.append(event)
        super().publish(event)

    def kinds(self):
        return [e.kind for e in self.events]


@pytest.fixture
def repo():
    return InMemoryWidgetRepository()


@pytest.fixture
def feed():
    return Recorder()


@pytest.fixture
async def registry(repo, feed, clock):
    r = Registry(repo, feed, clock=clock, grace=timedelta(seconds=30))
    await r.start()
    return r


async def announce(registry, doc, team=None, body=None):
    return await registry.announce(doc["id"], doc, origin=ORIGIN, team=team, body=body)


async def test_register_then_expire_stale_then_gone(registry, feed, clock, make_manifest):
    first = await announce(registry, make_manifest(ttl=10))
    assert first.created and feed.kinds() == [Kind.REGISTERED]
    clock.advance(9.9)
    assert registry.sweep() == []
    clock.advance(0.1)
    assert [e.kind for e in registry.sweep()] == [Kind.STALE]
    assert [w.id for w in registry.select(Filters())] == ["page-views"]
    clock.advance(30)
    [removed] = registry.sweep()
    assert removed.kind is Kind.REMOVED and removed.data["status"] == "gone"
    assert registry.select(Filters()) == []
    assert [w.id for w in registry.select(Filters(statuses=frozenset({Status.GONE})))] == ["page-views"]
    assert [v.version for v in registry.get("page-views").versions] == ["0.1.0"]


async def test_heartbeat_renews_and_revives_a_stale_widget(registry, feed, clock, make_manifest):
    await announce(registry, make_manifest(ttl=10))
    clock.advance(11)
    registry.sweep()
    widget = registry.heartbeat("page-views", team=None, etag=registry.etag("page-views"))
    assert widget.lease_expires_at == clock.now + timedelta(seconds=10)
    assert feed.kinds() == [Kind.REGISTERED, Kind.STALE, Kind.UPDATED]
    assert feed.events[-1].data["status"] == "live"


async def test_heartbeat_of_unknown_or_gone_widget_is_not_found(registry, clock, make_manifest):
    with pytest.raises(NotFound):
        registry.heartbeat("nope", team=None, etag=registry.etag("nope"))
    await announce(registry, make_manifest(ttl=1))
    clock.advance(40)
    with pytest.raises(NotFound):
        registry.heartbeat("page-views", team=None, etag=registry.etag("page-views"))


async def test_heartbeats_are_written_behind_in_one_batch(registry, repo, clock, make_manifest):
    for i in range(5):
        await announce(registry, make_manifest(id=f"w{i}"))
    clock.advance(1)
    for i in range(5):
        registry.heartbeat(f"w{i}", team=None, etag=registry.etag(f"w{i}"))
    assert repo.widgets["w0"].last_seen != clock.now
    assert await registry.flush() == 5
    assert repo.lease_writes == 1 and repo.widgets["w0"].last_seen == clock.now
    assert await registry.flush() == 0


async def test_identical_put_is_a_cheap_heartbeat(registry, repo, feed, clock, make_manifest):
    doc = make_manifest()
    await announce(registry, doc, body=b"same")
    saved = repo.widgets["page-views"]
    clock.advance(5)
    again = await announce(registry, doc, body=b"same")
    assert not again.created and again.widget.last_seen == clock.now
    assert repo.widgets["page-views"] is saved  # nothing written through
    assert feed.kinds() == [Kind.REGISTERED]


async def test_new_version_updates_and_keeps_history(registry, feed, make_manifest):
    await announce(registry, make_manifest())
    await announce(registry, make_manifest(version="0.2.0"))
    assert feed.kinds() == [Kind.REGISTERED, Kind.UPDATED]
    assert [v.version for v in registry.get("page-views").versions] == ["0.1.0", "0.2.0"]


async def test_element_owned_by_another_widget_conflicts(registry, make_manifest):
    await announce(registry, make_manifest())
    with pytest.raises(Conflict) as caught:
        await announce(registry, make_manifest(id="copycat", element="tessera-page-views"))
    assert caught.value.problems[0].loc == ("body", "element")


async def test_element_is_released_once_its_owner_is_gone(registry, clock, make_manifest):
    await announce(registry, make_manifest(ttl=1))
    clock.advance(60)
    registry.sweep()
    assert (await announce(registry, make_manifest(id="successor", element="tessera-page-views"))).created


async def test_another_team_cannot_take_a_live_id_without_tokens(registry, make_manifest):
    await announce(registry, make_manifest())
    with pytest.raises(Forbidden) as caught:
        await announce(registry, make_manifest(team="someone-else", element="x-page-views"))
    assert caught.value.problems[0].loc == ("path", "id")


async def test_token_team_must_own_manifest_and_widget(registry, make_manifest):
    with pytest.raises(Forbidden) as caught:
        await announce(registry, make_manifest(), team="other-team")
    assert caught.value.problems[0].loc == ("body", "team")
    await announce(registry, make_manifest(), team="web-analytics")
    with pytest.raises(Forbidden):
        registry.heartbeat("page-views", team="other-team", etag=registry.etag("page-views"))
    with pytest.raises(Forbidden):
        await registry.deregister("page-views", team="other-team")
    with pytest.raises(Forbidden) as caught:
        await announce(registry, make_manifest(team="other-team", element="x-page-views"), team="other-team")
    assert caught.value.problems[0].loc == ("path", "id")


async def test_deregister_removes_from_catalogue_keeps_history(registry, repo, feed, make_manifest):
    await announce(registry, make_manifest())
    await registry.deregister("page-views", team=None)
    await registry.deregister("page-views", team=None)  # idempotent
    assert feed.kinds() == [Kind.REGISTERED, Kind.REMOVED]
    assert registry.select(Filters()) == []
    assert registry.get("page-views").status(registry.clock(), registry.grace) is Status.GONE
    assert repo.widgets["page-views"].removed_at is not None
    with pytest.raises(NotFound):
        await registry.deregister("never", team=None)
    again = await announce(registry, make_manifest())
    assert again.created and feed.kinds()[-1] is Kind.REGISTERED


async def test_invalid_manifest_changes_nothing(registry, repo, make_manifest):
    with pytest.raises(ManifestInvalid):
        await announce(registry, make_manifest(element="nohyphen"))
    assert repo.widgets == {} and len(registry.catalogue) == 0


async def test_restart_reloads_the_catalogue(repo, feed, clock, make_manifest):
    first = Registry(repo, feed, clock=clock, grace=timedelta(seconds=30))
    await first.start()
    await announce(first, make_manifest())
    second = Registry(repo, Recorder(), clock=clock, grace=timedelta(seconds=30))
    await second.start()
    assert second.get("page-views").manifest == first.get("page-views").manifest
    assert second.sweep() == []  # no spurious events for widgets already known


async def test_filters(registry, make_manifest):
    await announce(registry, make_manifest())
    await announce(registry, make_manifest(id="top-pages", team="seo", tags=["Pages"], label="Top pages", description="Most read pages.", dataProducts=["tracker.pages"]))
    ids = lambda **f: [w.id for w in registry.select(Filters(**f))]  # noqa: E731
    assert ids() == ["page-views", "top-pages"]
    assert ids(team="seo") == ["top-pages"]
    assert ids(tag="pages") == ["top-pages"]
    assert ids(tag="analytics") == ["page-views"]
    assert ids(q="VISITORS") == ["page-views"]
    assert ids(q="top") == ["top-pages"]
    assert ids(data_product="tracker.pageviews") == ["page-views"]
    assert ids(q="nothing-matches") == []
