"""Twenty saves against one version at once: exactly one wins, nineteen get 409, and the
history has no gap and no duplicate (real SQLite file and real PostgreSQL)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from dashboard.layouts import document
from dashboard.layouts.database import open_stores
from dashboard.layouts.history import Layout, Version

from .conftest import layout_doc, window

N = 20


async def test_twenty_concurrent_saves_one_wins_nineteen_conflict(real_database_url, start_app):
    async with start_app(real_database_url) as client:
        created = (await client.post("/api/v1/layouts", json=layout_doc())).json()
        url = f"/api/v1/layouts/{created['id']}"
        headers = {"Authorization": f"Bearer {created['editKey']}", "If-Match": '"1"'}

        async def save(i: int):
            return await client.put(url, json=layout_doc(window("page-views", "a", n=i), title=f"save {i}"),
                                    headers=headers)

        answers = await asyncio.gather(*(save(i) for i in range(N)))
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200] + [409] * (N - 1), [r.text for r in answers if r.status_code not in (200, 409)]
        winner = next(r for r in answers if r.status_code == 200)
        assert all(r.json()["currentVersion"] == 2 for r in answers if r.status_code == 409)
        versions = (await client.get(f"{url}/versions")).json()["versions"]
        assert [v["number"] for v in versions] == [2, 1]
        assert versions[0]["contentHash"] == winner.json()["contentHash"]
        latest = (await client.get(url)).json()
        assert latest["version"] == 2 and latest["contentHash"] == winner.json()["contentHash"]


def test_the_store_appends_each_number_once_under_a_thread_race(real_database_url):
    """The port's guarantee without the HTTP edge: 20 threads released together."""
    stores = open_stores(real_database_url)
    try:
        now = datetime.now(UTC)
        doc = document.parse(layout_doc())
        layout = Layout("race", "t", "", "", "x" * 64, 1, now, now, document.content_hash(doc))
        stores.layouts.create(layout, Version("race", 1, None, "", "", now, layout.latest_hash, document=doc))
        barrier = threading.Barrier(N)

        def append(i: int) -> bool:
            body = document.parse(layout_doc(title=f"t{i}"))
            version = Version("race", 2, 1, f"thread {i}", "", now, document.content_hash(body), document=body)
            barrier.wait()
            return stores.layouts.append(version, {"title": body["title"], "latest_hash": version.content_hash})

        with ThreadPoolExecutor(N) as pool:
            results = list(pool.map(append, range(N)))
        assert results.count(True) == 1 and results.count(False) == N - 1
        assert [v.number for v in stores.layouts.versions("race", None, 100)] == [2, 1]
        stored = stores.layouts.layout("race")
        winner = stores.layouts.version("race", 2)
        assert stored.latest == 2 and stored.title == winner.document["title"]
    finally:
        stores.close()
