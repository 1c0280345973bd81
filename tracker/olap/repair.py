"""Crash repair for the rollups: a replayed block that one rollup lacks although ClickHouse
says it stored it.

A non-replicated MergeTree appends a block's deduplication record before it commits the
block's part.  A process killed between the two leaves a record for a part that never
landed; the writer's replay of that block (same token, see ``tracker.writer.ledger``) is
then dropped as a duplicate by that one table, and the block is lost to it for good.
A rollup has no column naming the blocks in it, so each one is checked by counting: for
the keys the block touches (read from the events table by its ``_batch``), the rollup
lacks the block exactly when its count equals the events table's count minus the
block's.  A lacking rollup gets the block's rows through its own view query, inserted
directly (no deduplication: the check before is the guard, so a repair cut short is
found and redone by the next recovery).

The same loss in the events table shows when the first block a restarted writer inserts
(same offsets, same token) leaves no row there: the views took the block, the events
table dropped it.  ``restore_events`` puts its rows in through a staging table and
``ATTACH PARTITION``, which fires no view.

Only blocks replayed after a crash are checked, once each, before their offsets are
committed.  The rollup's deficit must be made up exactly by some set of the replayed or
still-pending stored blocks; another writer inserting into the same keys meanwhile can
make it fit none, which is retried once after a pause, then reported and skipped, never
guessed.
"""

from __future__ import annotations

import logging
import time
import uuid
from itertools import combinations

from tracker.olap.schema import COUNTED, ROLLUP_TABLES, Rollup

log = logging.getLogger("tessera.olap.repair")
MAX_SUBSETS = 4096  # blocks replayed at once are few: one or two per partition
Key = tuple


def _counts(client, text: str, parameters: dict) -> dict[Key, int]:
    return {tuple(row[:-1]): int(row[-1]) for row in client.query(text, parameters=parameters).result_rows}


def _key_columns(rollup: Rollup, over_events: bool) -> str:
    cols = rollup.key_exprs() if over_events else rollup.keys()
    cols[1] = f"toUnixTimestamp({cols[1]})"  # the grain: one type (epoch seconds) for both tables
    return ", ".join(cols)


def _count_expr(rollup: Rollup, over_events: bool) -> str:
    if over_events:
        return "count()" if rollup.counted == "events" else f"countIf({COUNTED})"
    return f"sum({rollup.counted})"


def lacking(client, db: str, rollup: Rollup, candidates: list[str]) -> set[str] | None:
    """The candidate blocks this rollup lacks: the one subset whose counts make up the rollup's
    deficit against the events table on every key they touch; None when no subset does."""
    keys_e, keys_r = _key_columns(rollup, True), _key_columns(rollup, False)
    contributions: dict[str, dict[Key, int]] = {}
    for row in client.query(f"SELECT _batch, {keys_e}, {_count_expr(rollup, True)} FROM {rollup.source(db)} "
                            "WHERE _batch IN {tokens:Array(String)} GROUP BY ALL",
                            parameters={"tokens": candidates}).result_rows:
        if row[-1]:
            contributions.setdefault(row[0], {})[tuple(row[1:-1])] = int(row[-1])
    keys = {k for counts in contributions.values() for k in counts}
    if not keys:
        return set()
    bounds = {"sites": sorted({k[0] for k in keys}), "lo": min(k[1] for k in keys), "hi": max(k[1] for k in keys)}
    grain = rollup.key_exprs()[1]
    everything = _counts(client, f"SELECT {keys_e}, {_count_expr(rollup, True)} FROM {rollup.source(db)} "
                                 f"WHERE site IN {{sites:Array(String)}} AND toUnixTimestamp({grain}) "
                                 "BETWEEN {lo:UInt32} AND {hi:UInt32} GROUP BY ALL", bounds)
    stored = _counts(client, f"SELECT {keys_r}, {_count_expr(rollup, False)} FROM {db}.{rollup.name} "
                             f"WHERE site IN {{sites:Array(String)}} AND toUnixTimestamp({rollup.grain}) "
                             "BETWEEN {lo:UInt32} AND {hi:UInt32} GROUP BY ALL", bounds)
    deficit = {k: everything.get(k, 0) - stored.get(k, 0) for k in keys}
    if not any(deficit.values()):
        return set()
    if any(d < 0 for d in deficit.values()):
        log.warning("rollup %s holds more than the events table on %d key(s): another writer's insert in "
                    "flight, or an events part lost the same way (its rows stay counted in the rollups but are "
                    "gone from the raw table)", rollup.name, sum(d < 0 for d in deficit.values()))
        return None
    tokens = [t for t in candidates if t in contributions]  # the caller's order: the likeliest first
    tried = 0
    for size in range(1, len(tokens) + 1):
        for subset in combinations(tokens, size):
            if all(sum(contributions[t].get(k, 0) for t in subset) == d for k, d in deficit.items()):
                return set(subset)
            tried += 1
            if tried > MAX_SUBSETS:
                return None
    return None


def _newest_first(token: str) -> tuple:
    """Order candidates newest first.  A crash cuts the insert in flight, the newest stored block,
    so when the counts fit several sets of blocks (equal-sized blocks on one key: a site's hour)
    the set with the newest explains the deficit; an older block the rollup holds is left alone
    (picking it by token order double counted it: 6,150 of 6,000 once in test_writer_kill9)."""
    lasts = []
    for block in token.split("+"):  # tracker.writer.ledger: topic/partition/first-last, joined by +
        try:
            lasts.append(int(block.rsplit("-", 1)[1]))
        except (IndexError, ValueError):
            pass
    return (-max(lasts, default=0), token)


def restore_events(client, db: str, table, token: str) -> bool:
    """Put a block's rows (an Arrow table shaped like the events table) into the events table
    if it holds none of them, without firing its views; True if it did."""
    present = client.query(f"SELECT count() FROM {db}.events WHERE _batch = {{token:String}}",
                           parameters={"token": token}).result_rows[0][0]
    if present or not table.num_rows:
        return False
    staging = f"events_restore_{uuid.uuid4().hex[:12]}"
    client.command(f"CREATE TABLE {db}.{staging} AS {db}.events")
    try:
        client.insert_arrow(f"{db}.{staging}", table, settings={"insert_deduplicate": 0})
        partitions = client.query("SELECT DISTINCT partition_id FROM system.parts WHERE database = {db:String} "
                                  "AND table = {table:String} AND active",
                                  parameters={"db": db, "table": staging}).result_rows
        for (partition_id,) in partitions:
            client.command(f"ALTER TABLE {db}.events ATTACH PARTITION ID {{p:String}} FROM {db}.{staging}",
                           parameters={"p": partition_id})
    finally:
        client.command(f"DROP TABLE IF EXISTS {db}.{staging} SYNC")
    log.warning("events table had dropped block %s as a duplicate (a part lost to a crash after its "
                "deduplication record was written); its %d rows restored without feeding the views again",
                token, table.num_rows)
    return True


def _attach_all(client, db: str, staging: str, table: str) -> None:
    partitions = client.query("SELECT DISTINCT partition_id FROM system.parts WHERE database = {db:String} "
                              "AND table = {table:String} AND active",
                              parameters={"db": db, "table": staging}).result_rows
    for (partition_id,) in partitions:
        client.command(f"ALTER TABLE {db}.{table} ATTACH PARTITION ID {{p:String}} FROM {db}.{staging}",
                       parameters={"p": partition_id})


def _insert_quietly(client, db: str, rollup: Rollup, token: str) -> None:
    """Refill a rollup that feeds others (``rollup.feeds``) without firing their views: they are
    checked and repaired on their own, so an insert through the view would count the block twice."""
    staging = f"{rollup.name}_repair_{uuid.uuid4().hex[:12]}"
    client.command(f"CREATE TABLE {db}.{staging} AS {db}.{rollup.name}")
    try:
        client.command(f"INSERT INTO {db}.{staging} {rollup.select(db, '_batch = {token:String}')}",
                       parameters={"token": token}, settings={"insert_deduplicate": 0})
        _attach_all(client, db, staging, rollup.name)
    finally:
        client.command(f"DROP TABLE IF EXISTS {db}.{staging} SYNC")


def check(client, db: str, rollup: Rollup, token: str) -> str:
    """One block alone: "present", "lacking", "empty" (it counts nothing here) or "unclear"."""
    found = lacking(client, db, rollup, [token])
    if found is None:
        return "unclear"
    if found:
        return "lacking"
    has_rows = client.query(f"SELECT count() FROM {db}.events WHERE _batch = {{token:String}} AND "
                            f"{'1' if rollup.counted == 'events' else COUNTED}", parameters={"token": token})
    return "present" if has_rows.result_rows[0][0] else "empty"


def repair(client, db: str, tokens: list[str], pending: list[str] = (), settle_s: float = 0.2) -> list[tuple[str, str]]:
    """Give every rollup that lacks one of the replayed blocks ``tokens`` its rows; returns the
    (rollup, token) pairs repaired.  ``pending``: stored blocks not replayed yet (another
    partition's, or later in this one's), whose rows the rollups may still lack for now."""
    candidates = sorted(set(tokens) | set(pending), key=_newest_first)
    repaired = []
    for rollup in ROLLUP_TABLES:
        missing = lacking(client, db, rollup, candidates)
        if missing is None:  # another writer's insert in flight on the same keys
            time.sleep(settle_s)
            missing = lacking(client, db, rollup, candidates)
        if missing is None:
            log.warning("rollup %s: its deficit fits no set of the replayed blocks %s; left as is", rollup.name, tokens)
            continue
        for token in sorted(missing & set(tokens)):
            if rollup.feeds:
                _insert_quietly(client, db, rollup, token)
            else:
                client.command(f"INSERT INTO {db}.{rollup.name} {rollup.select(db, '_batch = {token:String}')}",
                               parameters={"token": token}, settings={"insert_deduplicate": 0})
            log.warning("rollup %s lacked replayed block %s (a part lost to a crash after its "
                        "deduplication record was written); restored from the events table", rollup.name, token)
            repaired.append((rollup.name, token))
    return repaired
