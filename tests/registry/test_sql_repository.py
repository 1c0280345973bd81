"""The SQLModel adapters (adapters/sql_repository.py) and migrations, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from registry.adapters.database import make_engine, migrate
from registry.adapters.sql_repository import SqlTokenStore, SqlWidgetRepository
from registry.domain.manifest import parse_manifest
from registry.domain.origin import Announcer
from registry.domain.token import issue_token
from registry.domain.widget import new_widget


def parsed(make_manifest, **changes):
    return parse_manifest(make_manifest(**changes), widget_id="page-views", announcer=Announcer("http://127.0.0.1:8100"))


def test_migrations_are_idempotent_and_cwd_independent(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)
    assert {"widget", "widget_version", "team_token", "alembic_version"} <= set(sa.inspect(engine).get_table_names())
    engine.dispose()


def test_widget_round_trip_with_history_and_leases(database_url, clock, make_manifest):
    engine = make_engine(database_url)
    migrate(engine)
    repo = SqlWidgetRepository(engine)
    widget = new_widget(parsed(make_manifest), clock())
    repo.save(widget)
    clock.advance(10)
    widget.announce(parsed(make_manifest, version="0.2.0", label="Views"), clock())
    repo.save(widget)
    clock.advance(5)
    widget.renew(clock())
    repo.save_leases([(widget.id, widget.last_seen, widget.lease_expires_at), ("unknown", clock(), clock())])
    [loaded] = repo.load_all()
    assert loaded.manifest == widget.manifest
    assert [v.version for v in loaded.versions] == ["0.1.0", "0.2.0"]
    assert loaded.versions[0].manifest.label == "Page views"
    assert loaded.last_seen == clock() and loaded.lease_expires_at == clock() + timedelta(seconds=15)
    assert loaded.last_seen.tzinfo is not None
    widget.remove(clock())
    repo.save(widget)
    assert repo.load_all()[0].removed_at == clock()
    engine.dispose()


def test_a_fresh_widget_under_an_old_id_replaces_its_history(database_url, clock, make_manifest):
    engine = make_engine(database_url)
    migrate(engine)
    repo = SqlWidgetRepository(engine)
    old = new_widget(parsed(make_manifest), clock())
    old.announce(parsed(make_manifest, version="0.2.0"), clock())
    repo.save(old)
    clock.advance(10)
    repo.save(new_widget(parsed(make_manifest, team="seo", element="seo-page-views", version="1.0.0"), clock()))
    [loaded] = repo.load_all()
    assert loaded.team == "seo" and [v.version for v in loaded.versions] == ["1.0.0"]
    engine.dispose()


def test_token_store(database_url, clock):
    engine = make_engine(database_url)
    migrate(engine)
    store = SqlTokenStore(engine)
    token, secret = issue_token("web-analytics", clock())
    store.add(token)
    assert store.find(token.token_hash) == token
    assert store.find("0" * 64) is None
    assert [t.id for t in store.all()] == [token.id]
    assert store.revoke(token.id, clock()) and not store.revoke(token.id, clock()) and not store.revoke("nope", clock())
    assert not store.find(token.token_hash).active
    with engine.connect() as c:  # only the hash is stored
        assert secret not in str(c.execute(sa.text("select * from team_token")).all())
    engine.dispose()


@pytest.mark.integration
def test_sqlite_parent_directory_is_created(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/deep/er/registry.db")
    migrate(engine)
    assert (tmp_path / "deep" / "er" / "registry.db").exists()
    engine.dispose()
