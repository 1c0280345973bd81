"""The hot path's caches cannot be filled by a flood, and never change an answer.

The pixel caches its plan per (query, user agent, Referer) and every intake caches what a
capture's fields become (``Intake.prepared``, the enricher's templates, decoded query
values).  An attacker who sends outsized or ever-different fields must neither grow them
with huge keys nor get another answer than the uncached code would give.
"""

import random
from urllib.parse import quote

from tracker.collector.params import _unquote, pixel_capture


def caches(app) -> dict[str, int]:
    intake = app.intake
    return {"plan": intake.pixel_plan.cache_info().currsize, "prepared": intake.prepared.cache_info().currsize,
            "template": intake.template_of.cache_info().currsize,
            "capture": pixel_capture.cache_info().currsize, "unquote": _unquote.cache_info().currsize}


async def test_outsized_pixel_hits_are_answered_and_not_cached(collector):
    before = caches(collector.app)
    long_title = "%41" * 1000 + "A" * 4000  # 7,000 query bytes (the edge allows 8 KB) for 5,000 chars
    for i in range(20):
        response = await collector.http.get(f"/t.gif?site=demo.local&url=https%3A%2F%2Fdemo.local%2F{i}"
                                            f"&title={long_title}{i}")
        assert response.status_code == 200 and response.headers["content-type"] == "image/gif"
    response = await collector.http.get("/t.gif?site=demo.local&title=x", headers={"referer": "https://demo.local/" + "r" * 9000})
    assert response.status_code == 200
    after = caches(collector.app)
    assert after["plan"] == before["plan"] and after["capture"] == before["capture"]
    assert after["prepared"] == before["prepared"] and after["template"] == before["template"]
    assert after["unquote"] == before["unquote"] + 20  # the short URLs; never the long titles
    dead = await collector.dead()
    assert [d["reason"] for d in dead] == ["oversize title"] * 20 + ["oversize url"]


async def test_outsized_batch_fields_are_rejected_and_not_cached(collector):
    before = caches(collector.app)
    huge = "x" * 200_000
    response = await collector.http.post("/api/v1/events", json=[
        {"site": "demo.local", "url": "https://demo.local/" + huge},
        {"site": "demo.local", "title": huge},
        {"site": "demo.local", "user_agent": huge},
        {"site": "demo.local", "props": {f"k{i}": "v" * 900 for i in range(30)}},  # valid, but 28 KB of props
        {"site": " Demo.Local " + " " * 50_000},  # a padded site: normalised, not kept
    ])
    report = response.json()
    assert [r["status"] for r in report["results"]] == ["rejected", "rejected", "rejected", "accepted", "accepted"]
    assert [r.get("error") for r in report["results"][:3]] == ["oversize url", "oversize title", "oversize user agent"]
    after = caches(collector.app)
    assert after["prepared"] == before["prepared"] + 1  # only the padded site's small event is kept
    assert after["template"] == before["template"] + 1
    events = await collector.events()
    assert [len(e["props"]) for e in events] == [30, 0] and events[1]["site"] == "demo.local"


async def test_a_flood_of_distinct_pixels_keeps_each_cache_bounded(make_collector):
    collector = await make_collector()
    intake = collector.app.intake
    rng = random.Random(5)
    for i in range(300):
        query = f"site=demo.local&url={quote('https://demo.local/' + str(rng.random()), safe='')}&p.x={i}"
        assert (await collector.http.get("/t.gif?" + query, headers={"user-agent": f"UA/{i}"})).status_code == 200
    assert intake.pixel_plan.cache_info().maxsize == 8192 and intake.pixel_plan.cache_info().currsize == 300
    assert intake.prepared.cache_info().maxsize == 8192
    assert len(await collector.events()) == 300


async def test_cached_and_uncached_plans_give_the_same_record(collector):
    """The same hit once through the caches and once past them (a long Referer): same fields."""
    query = "site=demo.local&url=https%3A%2F%2Fdemo.local%2Fp%3Futm_source%3Dn&title=T%C3%A9&p.plan=pro"
    await collector.http.get("/t.gif?" + query)
    await collector.http.get("/t.gif?" + query, headers={"referer": "https://demo.local/" + "r" * 5000})
    first, second = await collector.events()
    for event in (first, second):
        del event["event_id"], event["ts"], event["received_at"]
    assert first == second


def test_malformed_query_strings_capture_like_parse_qsl():
    from urllib.parse import parse_qsl

    from tracker.collector.params import pairs

    for query in ["a=%zz&b=%", "=x&&=&site", "site=%E9t%C3%A9&url=%F0%9F%98", "a+b=c+d&%2B=%2b", "x=" + "%41" * 300,
                  "x=" + "%41" * 3000]:
        assert pairs(query) == parse_qsl(query)


async def test_odd_headers_on_the_pixel(make_collector):
    """Two Origin headers: the first decides, as for every other route; a huge or non-UTF-8
    user agent is answered with the GIF and dead-lettered or kept, never a 500."""
    collector = await make_collector(cors_origins="https://ok.example")
    query = "/t.gif?site=demo.local&url=https%3A%2F%2Fdemo.local%2F"
    two = await collector.http.get(query, headers=[("origin", "https://evil.example"), ("origin", "https://ok.example")])
    assert two.status_code == 200 and "access-control-allow-origin" not in two.headers
    ok = await collector.http.get(query, headers=[("origin", "https://ok.example"), ("origin", "https://evil.example")])
    assert ok.headers["access-control-allow-origin"] == "https://ok.example"
    huge = await collector.http.get(query, headers={"user-agent": "U" * 5000})
    odd = await collector.http.get(query, headers=[(b"user-agent", b"Caf\xe9/\xff")])
    assert huge.status_code == odd.status_code == 200
    assert [d["reason"] for d in await collector.dead()] == ["oversize user agent"]
    kept = [e["user_agent"] for e in await collector.events()]  # across partitions: in no set order
    assert kept.count("Caf\u00e9/\u00ff") == 1 and len(kept) == 3


async def test_outsized_origins_are_echoed_and_not_cached(collector):
    from tracker.collector.app import gif_start_cache

    before = gif_start_cache.cache_info().currsize
    for i in range(5):
        origin = f"https://{'o' * 4000}{i}.example"
        response = await collector.http.get("/t.gif?site=demo.local&url=https%3A%2F%2Fdemo.local%2F",
                                            headers={"origin": origin})
        assert response.status_code == 200 and response.headers["access-control-allow-origin"] == origin
    response = await collector.http.get("/t.gif?site=demo.local&url=https%3A%2F%2Fdemo.local%2F",
                                        headers={"origin": "https://shop.example"})
    assert response.headers["access-control-allow-origin"] == "https://shop.example"
    assert gif_start_cache.cache_info().currsize <= before + 1  # the real origin only, never the floods
