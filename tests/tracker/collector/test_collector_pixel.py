"""The pixel route, on the raw ASGI path."""

import re

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")


async def test_gif_is_answered_with_no_cache_headers(collector):
    response = await collector.http.get("/t.gif", params={"site": "demo.local", "url": "https://demo.local/"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/gif"
    assert response.content.startswith(b"GIF89a") and len(response.content) < 64
    assert "no-store" in response.headers["cache-control"] and "no-cache" in response.headers["cache-control"]


async def test_hit_is_enriched_on_the_stream(collector):
    await collector.http.get("/t.gif", params={
        "site": "Demo.Local", "url": "https://demo.local/pricing?utm_source=news&utm_medium=email&utm_campaign=nov",
        "referrer": "https://www.google.com/search?q=x", "title": "Pricing", "p.plan": "pro"})
    (event,) = await collector.events()
    assert event["site"] == "demo.local" and event["path"] == "/pricing" and event["title"] == "Pricing"
    assert (event["utm_source"], event["utm_medium"], event["utm_campaign"]) == ("news", "email", "nov")
    assert event["referrer_host"] == "google.com"
    assert event["props"] == {"plan": "pro"}
    assert re.fullmatch(r"[0-9a-f]{16}", event["visitor"])
    assert event["event_id"][14] == "7"  # UUIDv7
    assert (event["browser"], event["os"], event["device"], event["is_bot"]) == ("Chrome", "Windows", "desktop", False)


async def test_hits_after_a_flush_land_too(collector):
    """The edge appends to the committer's capture list, which each flush empties in place."""
    for group in range(3):
        for i in range(4):
            await collector.http.get("/t.gif", params={"site": "demo.local", "url": f"https://demo.local/{group}/{i}"})
        await collector.flush()
    paths = sorted(e["path"] for e in await collector.events())
    assert paths == sorted(f"/{g}/{i}" for g in range(3) for i in range(4))


async def test_dnt_and_forwarded_for_are_read_in_the_flush(make_collector):
    collector = await make_collector(dnt_policy="anonymise", trust_forwarded_for=True)
    await collector.http.get("/t.gif", params={"site": "demo.local", "url": "https://demo.local/a"},
                             headers={"dnt": "1"})
    for ip in ("198.51.100.1", "198.51.100.2"):
        await collector.http.get("/t.gif", params={"site": "demo.local", "url": "https://demo.local/b"},
                                 headers={"x-forwarded-for": f"{ip}, 10.0.0.1"})
    events = await collector.events()
    anonymous = [e for e in events if e["path"] == "/a"]
    assert len(anonymous) == 1 and anonymous[0]["visitor"] == ""
    assert len({e["visitor"] for e in events if e["path"] == "/b"}) == 2  # one per forwarded client


async def test_short_names_and_referer_fallback(collector):
    await collector.http.get("/t.gif", params={"d": "demo.local", "n": "signup", "props": '{"a": 1}'},
                             headers={"referer": "https://demo.local/from-header"})
    (event,) = await collector.events()
    assert event["url"] == "https://demo.local/from-header" and event["name"] == "signup"
    assert event["props"] == {"a": "1"}


async def test_the_raw_ip_never_reaches_the_stream(collector):
    await collector.http.get("/t.gif", params={"site": "demo.local", "url": "https://demo.local/"})
    await collector.http.post("/api/v1/events", json=[{"site": "", "url": "https://demo.local/"}])
    await collector.events()
    everything = b"".join(r.value + r.key for log in collector.log.records.values() for r in log)
    assert b"203.0.113.7" not in everything


async def test_same_visitor_same_day_different_site_different_hash(collector):
    for site in ("a.example", "a.example", "b.example"):
        await collector.http.get("/t.gif", params={"site": site, "url": f"https://{site}/"})
    events = await collector.events()
    by_site = {}
    for event in events:
        by_site.setdefault(event["site"], set()).add(event["visitor"])
    assert len(by_site["a.example"]) == 1 and by_site["a.example"] != by_site["b.example"]


async def test_bots_are_flagged_and_kept(collector):
    await collector.http.get("/t.gif", params={"site": "demo.local", "url": "https://demo.local/"},
                             headers={"user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"})
    (event,) = await collector.events()
    assert event["is_bot"] is True and event["device"] == "bot"


async def test_dnt_drops_by_default(collector):
    response = await collector.http.get("/t.gif", params={"site": "demo.local"}, headers={"dnt": "1"})
    await collector.http.get("/t.gif", params={"site": "demo.local"}, headers={"sec-gpc": "1"})
    assert response.status_code == 200
    assert await collector.events() == []
    assert collector.app.counters.dropped_dnt == 2


async def test_dnt_anonymise_records_without_visitor(make_collector):
    c = await make_collector(dnt_policy="anonymise")
    await c.http.get("/t.gif", params={"site": "demo.local", "url": "https://demo.local/"}, headers={"dnt": "1"})
    (event,) = await c.events()
    assert event["visitor"] == ""


async def test_invalid_hits_go_to_the_dead_letter_topic_with_a_reason(collector):
    await collector.http.get("/t.gif", params={"url": "https://demo.local/"})
    await collector.http.get("/t.gif", params={"site": "demo.local", "url": "javascript:alert(1)"})
    await collector.http.get("/t.gif", params={"site": "demo.local", "title": "x" * 5000})
    dead = await collector.dead()
    assert [d["reason"] for d in dead] == ["missing site", "bad url: not an absolute http(s) URL", "oversize title"] \
        or sorted(d["reason"] for d in dead) == sorted(["missing site", "bad url: not an absolute http(s) URL",
                                                         "oversize title"])
    assert all(d["source"] == "pixel" and d["raw"] for d in dead)
    assert collector.app.counters.rejected == 3


async def test_healthz_and_snippet(collector):
    health = await collector.http.get("/healthz")
    assert health.json() == {"status": "ok"}
    script = await collector.http.get("/t.js")
    assert script.headers["content-type"].startswith("application/javascript")
    assert b"sendBeacon" in script.content and b"pushState" in script.content and b"data-site" in script.content


async def test_client_timestamp_only_when_sane(collector):
    import time

    now_ms = int(time.time() * 1000)
    await collector.http.get("/t.gif", params={"site": "s.example", "url": "https://s.example/", "ts": now_ms - 5000})
    await collector.http.get("/t.gif", params={"site": "s.example", "url": "https://s.example/", "ts": 1})
    first, second = sorted(await collector.events(), key=lambda e: e["received_at"])
    assert first["ts"] < first["received_at"]
    assert second["ts"] == second["received_at"]


async def test_user_agent_is_kept_as_sent(collector):
    await collector.http.get("/t.gif", params={"site": "demo.local", "url": "https://demo.local/"})
    (event,) = await collector.events()
    assert event["user_agent"] == CHROME


async def test_serving_raises_the_gc_threshold_and_restores_it(tmp_path):
    import gc

    from tracker.collector.app import create_app
    from tracker.collector.settings import CollectorSettings

    before = gc.get_threshold()
    app = create_app(CollectorSettings(stream_backend="memory", stream_dir=tmp_path / "s", spill_dir=tmp_path / "sp",
                                       salts_dir=tmp_path / "salts", gc_threshold=12_345))
    async with app.fallback.app.router.lifespan_context(app):
        assert gc.get_threshold()[0] == 12_345
    assert gc.get_threshold() == before
