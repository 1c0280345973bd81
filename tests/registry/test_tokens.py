"""Team tokens: authenticator (service_layer/tokens.py) and enforcement at the HTTP edge."""

import pytest

from registry.adapters.repository import InMemoryTokenStore
from registry.domain.problems import Unauthenticated
from registry.domain.token import hash_token
from registry.service_layer.tokens import Authenticator, create_token
from registry.settings import RegistrySettings

HOST = {"X-Tessera-Origin": "http://127.0.0.1:8100"}


class Ticker:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


async def test_tokens_are_stored_hashed_and_authenticate(clock):
    store = InMemoryTokenStore()
    token, secret = create_token(store, "web-analytics", clock())
    assert secret not in repr(store.tokens) and token.token_hash == hash_token(secret)
    auth = Authenticator(store, cache_seconds=5)
    assert await auth.team_for(f"Bearer {secret}") == "web-analytics"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "Bearer not-a-token"])
async def test_missing_or_invalid_tokens_are_refused(header):
    with pytest.raises(Unauthenticated) as caught:
        await Authenticator(InMemoryTokenStore(), cache_seconds=5).team_for(header)
    assert caught.value.problems[0].loc == ("header", "authorization")


async def test_revocation_takes_effect_after_the_cache_time(clock):
    store, ticker = InMemoryTokenStore(), Ticker()
    token, secret = create_token(store, "t", clock())
    auth = Authenticator(store, cache_seconds=5, monotonic=ticker)
    await auth.team_for(f"Bearer {secret}")
    assert store.revoke(token.id, clock()) and not store.revoke(token.id, clock())
    assert await auth.team_for(f"Bearer {secret}") == "t"  # still cached
    ticker.t = 6
    with pytest.raises(Unauthenticated):
        await auth.team_for(f"Bearer {secret}")


def test_team_names_are_checked(clock):
    with pytest.raises(ValueError):
        create_token(InMemoryTokenStore(), "Bad Team", clock())


@pytest.fixture
async def guarded(database_url, clock, start_app):
    async with start_app(RegistrySettings(database_url=database_url, require_tokens=True), clock) as c:
        store = c.app.state.services.tokens
        _, mine = create_token(store, "web-analytics", clock())
        _, theirs = create_token(store, "seo", clock())
        yield c, {"Authorization": f"Bearer {mine}", **HOST}, {"Authorization": f"Bearer {theirs}", **HOST}


async def test_enforced_tokens_over_http(guarded, make_manifest):
    c, mine, theirs = guarded
    url = "/api/v1/widgets/page-views"
    r = await c.put(url, json=make_manifest(), headers=HOST)
    assert r.status_code == 401 and r.json()["detail"][0]["loc"] == ["header", "authorization"]
    assert r.headers["www-authenticate"] == "Bearer"
    r = await c.put(url, json=make_manifest(), headers={**HOST, "Authorization": "Bearer forged"})
    assert r.status_code == 401
    r = await c.put(url, json=make_manifest(), headers=theirs)
    assert r.status_code == 403 and r.json()["detail"][0]["loc"] == ["body", "team"]
    put = await c.put(url, json=make_manifest(), headers=mine)
    assert put.status_code == 201
    etag = {"If-Match": put.headers["etag"]}
    assert (await c.post(url + "/heartbeat", headers={**theirs, **etag})).status_code == 403
    assert (await c.post(url + "/heartbeat", headers={**mine, **etag})).status_code == 200
    assert (await c.post(url + "/heartbeat", headers=etag)).status_code == 401
    r = await c.put(url, json=make_manifest(team="seo", element="x-page-views"), headers=theirs)
    assert r.status_code == 403 and r.json()["detail"][0]["loc"] == ["path", "id"]
    assert (await c.delete(url, headers=theirs)).status_code == 403
    assert (await c.delete(url)).status_code == 401
    assert (await c.delete(url, headers=mine)).status_code == 204
    assert (await c.get("/api/v1/widgets")).status_code == 200  # reading needs no token
