"""Writer throughput into chDB: the full path (stream records -> msgspec decode -> Arrow
-> insert with dedup token -> commit) driven by the real TableWriter over the
in-memory stream, against chDB's own ceiling measured in the same run: insert_arrow
of the same rows prebuilt as one Arrow table.  ``python bench/bench_writer.py [--quick]``.

Harness contract: ``run(quick=False) -> list[dict]`` (name, value, unit, ceiling,
ceiling_name, ratio, target, passed).  chDB is one engine per process: every bench
in a process uses the same chDB directory, a fresh database each.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

TARGET_ROWS_S = 500_000
CHDB_DIR = Path(tempfile.gettempdir()) / f"tessera-bench-chdb-{os.getpid()}"


def chdb_client():
    import clickhouse_connect

    return clickhouse_connect.get_client(dsn=f"chdb:///{CHDB_DIR}")


def events(n: int):
    from tracker.event import TrackingEvent

    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    pages = ["/", "/pricing", "/blog/one-core", "/docs/start", "/product/42", "/about"]
    return [TrackingEvent(event_id=str(uuid.UUID(int=i + 1)), ts=t0 + timedelta(milliseconds=i * 7),
                          received_at=t0 + timedelta(milliseconds=i * 7 + 3), site=f"site{i % 5}.example",
                          url=f"https://site{i % 5}.example{pages[i % 6]}", path=pages[i % 6],
                          referrer_host=("news.example", "", "search.example")[i % 3], visitor=f"{i % 5003:016x}",
                          user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
                          browser="Firefox", os="Linux", device="desktop") for i in range(n)]


def ceiling_rows_s(store, evs) -> float:
    """chDB's own insert rate for these rows into the same tables and views, with the same
    settings and block size: one prebuilt Arrow table, insert_arrow only."""
    from tracker.olap.arrow_batch import ArrowBuilder
    from tracker.olap.clickhouse import INSERT_SETTINGS
    from tracker.olap.port import StagedBatch

    staged = StagedBatch()
    for i, e in enumerate(evs):
        staged.append(e, "tessera.events", 0, i)
    table = ArrowBuilder().build(staged, "ceiling")
    block = 50_000
    started = time.perf_counter()
    for i in range(0, table.num_rows, block):
        store.client.insert_arrow(f"{store.db}.events", table.slice(i, block),
                                  settings={**INSERT_SETTINGS, "insert_deduplication_token": f"ceiling/{i}"})
    return table.num_rows / (time.perf_counter() - started)


async def writer_rows_s(store, evs, max_rows: int) -> tuple[float, int]:
    import msgspec

    from resilience import Backoff
    from tracker.event import EVENTS_TOPIC, stream_key
    from tracker.stream.memory import MemoryLog
    from tracker.writer.batching import BatchPolicy
    from tracker.writer.loop import TableWriter

    log = MemoryLog(partitions=1)
    encode = msgspec.json.encode
    log.append(EVENTS_TOPIC, [(stream_key(e.site, e.visitor), encode(e)) for e in evs])
    writer = TableWriter(log.consumer("bench", [EVENTS_TOPIC]), log.producer(), store,
                         BatchPolicy(max_rows=max_rows, max_age_ms=1000, idle_poll_ms=5), backoff=Backoff(base=0.01))
    started = time.perf_counter()
    task = asyncio.create_task(writer.run())
    while writer.progress.counters.rows < len(evs):
        await asyncio.sleep(0.001)
        if task.done():
            task.result()
    elapsed = time.perf_counter() - started
    writer.request_stop()
    await task
    return len(evs) / elapsed, writer.progress.counters.batches


def run(quick: bool = False) -> list[dict]:
    from tracker.olap.clickhouse import ClickHouseStore

    n = 200_000 if quick else 1_000_000
    client = chdb_client()
    results = []
    try:
        evs = events(n)
        ceiling_store = ClickHouseStore(client, f"bench_ceiling_{uuid.uuid4().hex[:8]}")
        ceiling_store.migrate()
        ceiling = ceiling_rows_s(ceiling_store, evs)
        store = ClickHouseStore(client, f"bench_writer_{uuid.uuid4().hex[:8]}")
        store.migrate()
        value, batches = asyncio.run(writer_rows_s(store, evs, 50_000))
        counted = client.query(f"SELECT sum(views) FROM {store.db}.site_minute").result_rows[0][0]
        assert counted == n, f"writer bench counted {counted} of {n}"
        results.append({"name": "writer rows/s (decode→Arrow→insert→commit, 50k batches)", "value": value,
                        "unit": "rows/s", "ceiling": ceiling, "ceiling_name": "chDB insert_arrow of prebuilt Arrow",
                        "ratio": value / ceiling, "target": f">= {TARGET_ROWS_S:,} rows/s",
                        "passed": value >= TARGET_ROWS_S, "batches": batches, "rows": n})
        for db in (store.db, ceiling_store.db):
            client.command(f"DROP DATABASE IF EXISTS {db} SYNC")
    finally:
        client.close()
    return results


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(f"{r['name']}: {r['value']:,.0f} {r['unit']} = {r['ratio']:.2f} x {r['ceiling_name']} "
              f"({r['ceiling']:,.0f}); target {r['target']}: {'ok' if r['passed'] else 'MISS'}")
