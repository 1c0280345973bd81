from datetime import UTC, datetime, timedelta

from registry.domain.manifest import parse_manifest
from registry.domain.origin import Announcer
from registry.domain.status import Status
from registry.domain.widget import new_widget

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def parsed(make_manifest, **changes):
    return parse_manifest(make_manifest(**changes), widget_id="page-views", announcer=Announcer("http://127.0.0.1:8100"))


def test_new_widget_is_leased_for_its_ttl(make_manifest):
    w = new_widget(parsed(make_manifest, ttl=10), T0)
    assert w.lease_expires_at == T0 + timedelta(seconds=10)
    assert [v.version for v in w.versions] == ["0.1.0"]


def test_announcing_a_new_version_appends_history(make_manifest):
    w = new_widget(parsed(make_manifest), T0)
    assert w.announce(parsed(make_manifest, version="0.2.0"), T0 + timedelta(seconds=1))
    assert not w.announce(parsed(make_manifest, version="0.2.0"), T0 + timedelta(seconds=2))
    assert [v.version for v in w.versions] == ["0.1.0", "0.2.0"]
    assert w.last_seen == T0 + timedelta(seconds=2)


def test_same_version_with_new_content_updates_that_entry(make_manifest):
    w = new_widget(parsed(make_manifest), T0)
    assert w.announce(parsed(make_manifest, label="Views"), T0 + timedelta(seconds=1))
    assert len(w.versions) == 1 and w.versions[0].manifest.label == "Views"


def test_remove_then_announce_revives(make_manifest):
    w = new_widget(parsed(make_manifest), T0)
    w.remove(T0)
    assert w.status(T0, timedelta(seconds=30)) is Status.GONE
    assert w.announce(parsed(make_manifest), T0 + timedelta(seconds=1))
    assert w.removed_at is None and w.status(T0 + timedelta(seconds=1), timedelta(seconds=30)) is Status.LIVE
