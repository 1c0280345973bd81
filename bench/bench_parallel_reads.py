"""A dashboard's first reads sent at once (as the shell sends them), on real chDB: the store's
pool of read connections (``ClickHouseStore.connect``) against the same reads on one client
under the lock (the store without readers), timed alternately in the same run over the same
engine and data, answers asserted equal.  Ceiling: the serial wall time of the same run.
Data: ``bench_query.fill`` (one site, an event every 60 ms up to now), minutes closed.
``python bench/run.py --only parallel_reads [--quick]``; harness contract: ``run(quick) -> list[dict]``."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CHDB_DIR = Path(tempfile.gettempdir()) / f"tessera-bench-reads-{os.getpid()}"


def dashboard(store, site: str, now: datetime) -> list:
    """The default layout's first reads: series, top pages and referrers, visitors, breakdowns, summary."""
    from tracker.model import BreakdownQuery, Range, Scope, SeriesQuery, TopQuery

    day = Range(site, now - timedelta(days=1), now)
    week = Scope(site, now - timedelta(days=7), now)
    scope = Scope(site, day.start, day.end)
    return [
        lambda: store.series(SeriesQuery(day, "1h")),
        lambda: store.top(TopQuery(day, "path", 10)),
        lambda: store.top(TopQuery(day, "referrer_host", 10)),
        lambda: store.totals(day),
        lambda: store.breakdown(BreakdownQuery(scope, "device", 10)),
        lambda: store.breakdown(BreakdownQuery(scope, "browser", 10)),
        lambda: store.breakdown(BreakdownQuery(scope, "utm_campaign", 10)),
        lambda: store.summary(scope),
        lambda: store.summary(scope.before()),
        lambda: store.top(TopQuery(Range(site, week.start, week.end), "path", 10)),
    ]


def run(quick: bool = False) -> list[dict]:
    from bench_query import SITE, STEP_MS, fill, settle
    from tracker.olap.clickhouse import READERS, ClickHouseStore

    n = 300_000 if quick else 2_000_000
    rounds = 5 if quick else 15
    pooled = ClickHouseStore.connect(f"chdb:///{CHDB_DIR}", f"bench_reads_{uuid.uuid4().hex[:8]}")
    serial = ClickHouseStore(pooled.client, pooled.db)  # the same engine and data, one client, locked
    try:
        pooled.migrate()
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(milliseconds=n * STEP_MS)
        fill(pooled.client, pooled.db, n, start)
        pooled.close_minutes(start, start + timedelta(milliseconds=n * STEP_MS) - timedelta(minutes=2))
        settle(pooled.client, pooled.db)
        now = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        reads = {"serial": dashboard(serial, SITE, now), "pool": dashboard(pooled, SITE, now)}
        workers = ThreadPoolExecutor(len(reads["pool"]))  # asyncio.to_thread's role in the query API

        def at_once(name: str) -> tuple[float, list]:
            started = time.perf_counter()
            futures = [workers.submit(read) for read in reads[name]]
            answers = [f.result() for f in futures]
            return (time.perf_counter() - started) * 1000, answers

        expected = [read() for read in reads["serial"]]
        samples: dict[str, list[float]] = {"serial": [], "pool": []}
        for i in range(rounds + 1):
            for name in ("serial", "pool") if i % 2 else ("pool", "serial"):
                ms, answers = at_once(name)
                assert answers == expected, f"{name}: answers differ from the serial run"
                if i:  # the first round warms both stores' caches
                    samples[name].append(ms)
        workers.shutdown()
    finally:
        pooled.client.command(f"DROP DATABASE IF EXISTS {pooled.db} SYNC")
        pooled.close()
    s, p = statistics.median(samples["serial"]), statistics.median(samples["pool"])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        {"name": f"{len(expected)} dashboard reads at once, serial (one client, locked) p50", "value": round(s, 1),
         "unit": "ms", "ceiling": round(s, 1), "ceiling_name": "serial, same run", "ratio": 1.0,
         "target": f"{rounds} rounds, {n:,} events, load {load}", "passed": True},
        {"name": f"{len(expected)} dashboard reads at once, pool of {READERS} connections p50", "value": round(p, 1),
         "unit": "ms", "ceiling": round(s, 1), "ceiling_name": "serial, same run", "ratio": round(p / s, 4),
         "target": "< serial; answers equal", "passed": p < s},
    ]


if __name__ == "__main__":
    for r in run("--quick" in sys.argv):
        print(r)
