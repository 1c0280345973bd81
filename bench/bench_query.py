"""Query latency over 10M events in chDB: the per-minute pageviews series of the last 24 h
served from the rollups, against the 50 ms target and against the same series by a raw
scan of the events, timed alternately in the same run with equal answers asserted.
``python bench/bench_query.py [--quick] [--data DIR]``: ``--data`` keeps the filled events (and
their rollups, migrated to the current schema) in DIR and reuses them on the next run, topped up
with the same events from where the last run's data ended to now, so an iteration times the
same reads without the minutes of filling (the first run fills as usual).

Data: INSERT ... SELECT from numbers() into the events table, so the materialized
views fill exactly as they do for the writer (one site, one event every 60 ms:
10M events span ~7 days); then the minutes are closed as the writer's MinuteCloser
does, except the last two.  Reads end at the current minute, and before each timed
read (untimed) a few events arrive in it through the store, as from the writer: the
open minute is never served from a cache.  The store reads as the writer's process does
(``sole_writer``: it keeps the closed minutes' sums while no insert touches them); the
same read by a store that does not write (the sums read every time) is timed beside.
Merges leave the filled parts alone while timing (see ``run``).
Ceiling: the raw scan (5x) and chDB's fixed cost of a query (``SELECT 1``), same run.
Harness contract: ``run(quick=False) -> list[dict]``."""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

TARGET_MS = 50.0
CHDB_DIR = Path(tempfile.gettempdir()) / f"tessera-bench-chdb-{os.getpid()}"
SITE = "bench.example"
STEP_MS = 60


def fill(client, db: str, n: int, start: datetime, first: int = 0) -> float:
    """Events ``first`` to ``n`` (exclusive) of the series that starts at ``start``."""
    sql = f"""
    INSERT INTO {db}.events (event_id, ts, received_at, site, name, url, path, referrer_host, visitor,
                             _topic, _partition, _offset, _batch)
    SELECT generateUUIDv4(number),
           toDateTime64('{start:%Y-%m-%d %H:%M:%S}', 3, 'UTC') + toIntervalMillisecond(number * {STEP_MS}) AS t,
           t, '{SITE}', 'pageview', concat('https://{SITE}/p', toString(number % 50)),
           concat('/p', toString(number % 50)), ['', 'news.example', 'search.example'][number % 3 + 1],
           leftPad(hex(cityHash64(number % 200000)), 16, '0'), 'bench', 0, number, 'bench'
    FROM numbers({first}, {n - first})
    """
    started = time.perf_counter()
    client.command(sql, settings={"max_insert_threads": 2, "max_block_size": 1_000_000})
    return time.perf_counter() - started


def settle(client, db: str, limit_s: float = 120.0) -> float:
    """Wait for the fill's background merges (7 days of data loaded in seconds) to finish, as
    they would have long before anyone queried that data; return the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        if not client.query("SELECT count() FROM system.merges WHERE database = {db:String}",
                            parameters={"db": db}).result_rows[0][0]:
            break
        time.sleep(0.2)
    return time.perf_counter() - started


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


RUN = uuid.uuid4().hex[:8]


def arrive(store, minute: datetime, k: int, count: int = 20) -> None:
    """A few more page views in the open minute, inserted as the writer inserts them (the query
    API is served by the writer's process over the same store): the minute's cached visitors
    go stale, so every timed rollup read recounts the open minute."""
    from tracker.event import TrackingEvent
    from tracker.olap.port import StagedBatch

    batch = StagedBatch()
    for number in range(k * count, (k + 1) * count):
        t = minute + timedelta(milliseconds=number * 997 % 60000)
        batch.append(TrackingEvent(event_id=str(uuid.uuid4()), ts=t, received_at=t, site=SITE, path="/live",
                                   url=f"https://{SITE}/live", visitor=f"{(300000 + number) * 2654435761 % 2**64:016x}"),
                     "bench-live", 0, number)
    # a token of this run's own: a kept database (``--data``) remembers the last run's blocks, and a
    # table whose deduplication log had already forgotten one would take it while the others drop it
    store.insert(batch, f"bench-live-{RUN}/0/{k * count}-{(k + 1) * count - 1}")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process, chDB's too
    return usage.ru_utime + usage.ru_stime


def alternate(fns: dict, before, pairs: int) -> dict[str, list[float]]:
    """Time each function once per round, in alternating order, after ``before()`` (untimed):
    wall ms under ``name``, and the process's CPU ms (all threads) under ``name + " cpu"``
    (on a machine shared by others, wall time is mostly waiting for a core)."""
    samples: dict[str, list[float]] = {key: [] for name in fns for key in (name, name + " cpu")}
    answers: dict[str, object] = {}
    for i in range(pairs):
        before(i)
        names = list(fns) if i % 2 == 0 else list(reversed(fns))
        for name in names:
            cpu, started = cpu_seconds(), time.perf_counter()
            answers[name] = fns[name]()
            samples[name].append((time.perf_counter() - started) * 1000)
            samples[name + " cpu"].append((cpu_seconds() - cpu) * 1000)
        first, *rest = answers.values()
        for name, answer in answers.items():  # the same answer, or the comparison means nothing
            assert answer == first, f"round {i}: {name} differs from {next(iter(answers))}"
    return samples


def filled(client, db: str, n: int, kept: Path | None) -> tuple[datetime, datetime, float, int]:
    """(start, end, fill seconds, counted events) of the data: n events filled now, or the kept
    data topped up to now with the events the same fill would have written since (``--data``)."""
    from tracker.olap.schema import COUNTED

    if kept is not None and kept.exists():
        meta = json.loads(kept.read_text())
        start, seconds, have = datetime.fromisoformat(meta["start"]), meta["seconds"], int(meta["events"])
        total = max(have, (datetime.now(UTC).replace(second=0, microsecond=0) - start) // timedelta(milliseconds=STEP_MS))
        if total > have:
            fill(client, db, total, start, first=have)
    else:
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(milliseconds=n * STEP_MS)
        seconds, total = fill(client, db, n, start), n
    if kept is not None:
        kept.write_text(json.dumps({"start": start.isoformat(), "seconds": seconds, "events": total}))
        # earlier runs' arrivals are stored too: the rollups must add up to the events' own count
        counted = client.query(f"SELECT count() FROM {db}.events WHERE site = {{site:String}} AND {COUNTED}",
                               parameters={"site": SITE}).result_rows[0][0]
    else:
        counted = n
    return start, start + timedelta(milliseconds=total * STEP_MS), seconds, counted


def run(quick: bool = False, data: Path | None = None) -> list[dict]:
    from tracker.model import Bucket, Range, SeriesQuery
    from tracker.olap import sql
    from tracker.olap.clickhouse import READ_SETTINGS, ClickHouseStore
    from tracker.query.series import zero_filled

    n = 1_000_000 if quick else 10_000_000
    kept = data / f"query-filled-{n}.json" if data is not None else None
    # as the query service opens it: a write client and read connections of its own (reads side by side)
    store = ClickHouseStore.connect(f"chdb:///{data or CHDB_DIR}",
                                    f"bench_query_{n}" if kept else f"bench_query_{uuid.uuid4().hex[:8]}")
    client = store.client
    reader = None
    try:
        if kept is not None and not kept.exists():  # a fill cut short before its note: start over
            client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")
        store.migrate()  # a kept database: brought to the current schema by the migrations, as a live one is
        start, end, seconds, counted = filled(client, store.db, n, kept)
        closing = time.perf_counter()
        store.close_minutes(start, end - timedelta(minutes=2))
        closing = time.perf_counter() - closing
        settled = settle(client, store.db)
        # reads end at the current minute, which the "writer" (``arrive``) keeps writing to
        now_end = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = Range(SITE, now_end - timedelta(days=1), now_end)
        # the hourly series from the first hour, as the API asks for it (it floors ``from`` to the interval)
        everything = Range(SITE, start.replace(minute=0, second=0, microsecond=0), now_end)

        def open_minute() -> datetime:
            return min(datetime.now(UTC).replace(second=0, microsecond=0), now_end - timedelta(minutes=1))

        def series_day():
            q = SeriesQuery(day, "1m")
            return zero_filled(store.series(q), day.start, day.end, "1m")

        def series_all_hourly():
            return store.series(SeriesQuery(everything, "1h"))

        raw_text = (f"SELECT toStartOfMinute(ts) AS t, count(), uniqCombined(12)(visitor) FROM {store.db}.events "
                    f"WHERE site = {{site:String}} AND ts >= {{start:DateTime64(3, 'UTC')}} "
                    f"AND ts < {{end:DateTime64(3, 'UTC')}} AND {sql.COUNTED} GROUP BY t ORDER BY t")

        def raw_day():
            """The same answer by a scan of the events (no FINAL: the bench stores no duplicates,
            and FINAL would only slow the comparison down), shaped the same way, with the store's
            read settings (``READ_SETTINGS``: no JIT, whose one compile would land in the timing)."""
            rows = client.query(raw_text, parameters=sql._params(day), settings=READ_SETTINGS).result_rows
            return zero_filled([Bucket(t.replace(tzinfo=UTC), v, u) for t, v, u in rows], day.start, day.end, "1m")

        assert sum(b.views for b in series_all_hourly()) == counted
        store.sole_writer()  # from here on every write goes through this store, as in the writer's process
        reader = ClickHouseStore.connect(f"chdb:///{data or CHDB_DIR}", store.db)  # a store that writes nothing

        def series_day_reader():
            q = SeriesQuery(day, "1m")
            return zero_filled(reader.series(q), day.start, day.end, "1m")

        cold = time.perf_counter()
        series_day()  # the first read of the day in this process: no minute cached yet
        cold = (time.perf_counter() - cold) * 1000
        repeat = 10 if quick else 30
        # the arrivals' parts are merged with each other as usual, but not into the week-long parts
        # (hundreds of MB rewritten under both timings alike, every few arrivals): a live table's
        # old data sits in big parts that merges leave alone, its new rows in a few small ones
        tables = client.query("SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree'",
                              parameters={"db": store.db}).result_rows
        for (table,) in tables:
            client.command(f"ALTER TABLE {store.db}.{table} MODIFY SETTING max_bytes_to_merge_at_max_space_in_pool "
                           "= 1048576, max_bytes_to_merge_at_min_space_in_pool = 1048576")
        series_day_reader()
        rounds = alternate({"rollup": series_day, "raw": raw_day, "reader": series_day_reader},
                           lambda i: arrive(store, open_minute(), i), repeat)
        hourly = alternate({"rollup": series_all_hourly},
                           lambda i: arrive(store, open_minute(), repeat + i), repeat)["rollup"]
        small = client.query("SELECT max(c) FROM (SELECT count() AS c FROM system.parts WHERE database = {db:String} "
                             "AND active GROUP BY table)", parameters={"db": store.db}).result_rows[0][0]
        p50, p95 = percentiles(rounds["rollup"])
        r50, r95 = percentiles(rounds["raw"])
        d50, d95 = percentiles(rounds["reader"])
        h50, h95 = percentiles(hourly)
        c50, c95 = percentiles(rounds["rollup cpu"])
        rc50, rc95 = percentiles(rounds["raw cpu"])
        one50, one95 = timed(lambda: client.query("SELECT 1").result_rows, repeat)
        # the rollup read's two queries, each alone (they run side by side in the read)
        sums = sql.minute_sums(store.db, day)
        opening = sql.open_minutes(store.db, SITE, int(open_minute().timestamp()) - 60, int(now_end.timestamp()))
        sums50, _ = timed(lambda: store._bytes(*sums), repeat)
        open50, _ = timed(lambda: store._bytes(*opening), repeat)
        rows_day = round(len(series_day()))
        common = {"unit": "ms", "ceiling": TARGET_MS, "ceiling_name": "50 ms target", "target": "p95 <= 50 ms"}
        speedup = r95 / p95 if p95 else 0.0
        return [
            {"name": f"pageviews 1m series, last 24h ({rows_day} buckets, open minute written to before each read) "
                     f"from rollup over {n:,} events, p95",
             "value": p95, "p50": p50, "ratio": p95 / TARGET_MS, "passed": p95 <= TARGET_MS, **common},
            {"name": "raw scan of the same 24h (same answer, asserted; alternating) ÷ rollup, p95 over p95",
             "value": speedup, "unit": "x", "ceiling": 5.0, "ceiling_name": "5x target",
             "ratio": speedup / 5.0, "target": ">= 5x", "passed": speedup >= 5.0, "raw_p95": r95, "raw_p50": r50},
            {"name": "CPU time of the same reads (process, all threads): raw scan p95 ÷ rollup p95", "value": rc95 / c95,
             "unit": "x", "ceiling": 5.0, "ceiling_name": "5x target", "ratio": rc95 / c95 / 5.0,
             "target": "informational (raw scans on 2 threads)", "passed": True, "rollup_cpu_p50": c50,
             "rollup_cpu_p95": c95, "raw_cpu_p50": rc50, "raw_cpu_p95": rc95},
            {"name": "same 24h 1m series by raw scan of events (comparison), p95", "value": r95, "p50": r50,
             "unit": "ms", "ceiling": p95, "ceiling_name": "rollup p95", "ratio": r95 / p95 if p95 else 0.0,
             "target": "informational", "passed": True},
            {"name": "the same 24h 1m series by a store that does not write (the closed minutes' sums read every "
                     "time), p95", "value": d95, "p50": d50, "unit": "ms", "ceiling": r95, "ceiling_name": "raw scan p95",
             "ratio": d95 / r95 if r95 else 0.0, "target": "informational (raw p95 ÷ this: "
             f"{r95 / d95 if d95 else 0:.2f}x)", "passed": True},
            {"name": "the same 24h series, first read in the process (nothing cached)", "value": cold, "unit": "ms",
             "ceiling": TARGET_MS, "ceiling_name": "50 ms target", "ratio": cold / TARGET_MS,
             "target": "informational", "passed": True},
            {"name": f"pageviews 1h series over all {n:,} events (~7 days; open minute written to before each "
                     "read) from rollup, p95",
             "value": h95, "p50": h50, "ratio": h95 / TARGET_MS, "passed": h95 <= TARGET_MS, **common},
            {"name": "chDB fixed cost per query (SELECT 1 through clickhouse-connect), p95", "value": one95,
             "p50": one50, "unit": "ms", "ceiling": p95, "ceiling_name": "1m series p95", "ratio": one95 / p95,
             "target": "informational", "passed": True},
            {"name": "the 24h read's minute sums query alone (site_minute, RowBinary), p50", "value": sums50,
             "unit": "ms", "ceiling": p50, "ceiling_name": "1m series p50", "ratio": sums50 / p50,
             "target": "informational", "passed": True},
            {"name": "the 24h read's open minutes query alone (events), p50", "value": open50,
             "unit": "ms", "ceiling": p50, "ceiling_name": "1m series p50", "ratio": open50 / p50,
             "target": "informational", "passed": True},
            {"name": "most active parts of a table after the timed reads (arrivals merged among themselves)",
             "value": small, "unit": "parts", "ceiling": small, "ceiling_name": "itself", "ratio": 1.0,
             "target": "informational", "passed": True},
            {"name": "waiting for the fill's background merges before timing", "value": settled, "unit": "s",
             "ceiling": settled, "ceiling_name": "itself", "ratio": 1.0, "target": "informational", "passed": True},
            {"name": f"closing {n * STEP_MS // 60_000:,} minutes once (finalise their visitors)", "value": closing * 1000,
             "unit": "ms", "ceiling": closing * 1000, "ceiling_name": "itself", "ratio": 1.0,
             "target": "informational", "passed": True},
            {"name": f"fill: INSERT…SELECT {n:,} events through the views", "value": n / seconds, "unit": "rows/s",
             "ceiling": n / seconds, "ceiling_name": "itself", "ratio": 1.0, "target": "informational",
             "passed": True},
        ]
    finally:
        if reader is not None:
            reader.close()
        if kept is None:
            client.command(f"DROP DATABASE IF EXISTS {store.db} SYNC")
        store.close()


if __name__ == "__main__":
    kept_dir = Path(sys.argv[sys.argv.index("--data") + 1]) if "--data" in sys.argv else None
    for r in run(quick="--quick" in sys.argv, data=kept_dir):
        extra = f" (p50 {r['p50']:.1f})" if "p50" in r else ""
        if "rollup_cpu_p95" in r:
            extra += (f" (CPU ms p50/p95: rollup {r['rollup_cpu_p50']:.1f}/{r['rollup_cpu_p95']:.1f}, "
                      f"raw {r['raw_cpu_p50']:.1f}/{r['raw_cpu_p95']:.1f})")
        if "raw_p95" in r:
            extra += f" (raw scan p50/p95 {r['raw_p50']:.1f}/{r['raw_p95']:.1f} ms)"
        print(f"{r['name']}: {r['value']:,.1f} {r['unit']}{extra} = {r['ratio']:.2f} x {r['ceiling_name']} "
              f"({r['ceiling']:,.1f}); target {r['target']}: {'ok' if r['passed'] else 'MISS'}")
