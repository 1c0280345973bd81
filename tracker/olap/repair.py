"""Crash repair for the rollups: a replayed block that one rollup lacks although ClickHouse
says it stored it, or holds twice.

A non-replicated MergeTree appends a block's deduplication record before it commits the
block's part.  A process killed between the two leaves a record for a part that never
landed; the writer's replay of that block (same token, see ``tracker.writer.ledger``) is
then dropped as a duplicate by that one table, and the block is lost to it for good.
The opposite is seen too under kill -9 (test_writer_kill9: a view's part kept, its record
not): the replay goes into that view again.
A rollup has no column naming the blocks in it, so each one is checked by counting: for
the keys the block touches (read from the events table by its ``_batch``), the rollup
lacks the block exactly when its count equals the events table's count minus the
block's, and its ``block_sum`` (the sum of its rows' block hashes, ``schema.BLOCK_SUM``)
the events table's minus the block's; it holds it twice when both are the events table's
plus the block's.  The counts alone cannot tell two blocks of one size on one key apart
(a site's hour); the sums can.  A lacking rollup gets the block's rows through its own
view query, a doubled one the same rows with their counts negated (the sums wrap), both
inserted directly (no deduplication: the check before is the guard, so a repair cut
short is found and redone by the next recovery).

The same loss in the events table shows when the first block a restarted writer inserts
(same offsets, same token) leaves no row there: the views took the block, the events
table dropped it.  ``restore_events`` puts its rows in through a staging table and
``ATTACH PARTITION``, which fires no view.

Only blocks replayed after a crash are checked, once each, before their offsets are
committed.  The rollup's difference must be made up exactly by some signed set of the
replayed or still-pending stored blocks; another writer inserting into the same keys meanwhile can
make it fit none, which is retried once after a pause, then reported and skipped, never
guessed.
"""

from __future__ import annotations

import logging
import time
import uuid
from itertools import combinations, product

from tracker.olap.schema import BLOCK_HASH, BLOCK_SUM, COUNTED, ROLLUP_TABLES, Rollup

log = logging.getLogger("tessera.olap.repair")
MAX_SUBSETS = 4096  # blocks replayed at once are few: one or two per partition
WRAP = 1 << 64  # block sums are UInt64 sums: they wrap
Key = tuple
Tally = tuple[int, int]  # (count, block sum) on one key


def _tallies(client, text: str, parameters: dict) -> dict[Key, Tally]:
    return {tuple(row[:-2]): (int(row[-2]), int(row[-1]) % WRAP)
            for row in client.query(text, parameters=parameters).result_rows}


def _key_columns(rollup: Rollup, over_events: bool) -> str:
    cols = rollup.key_exprs() if over_events else rollup.keys()
    cols[1] = f"toUnixTimestamp({cols[1]})"  # the grain: one type (epoch seconds) for both tables
    return ", ".join(cols)


def _count_expr(rollup: Rollup, over_events: bool) -> str:
    """The rows the rollup counts and the sum of their block hashes."""
    if over_events:
        if rollup.counted == "events":
            return f"count(), sum({BLOCK_HASH})"
        return f"countIf({COUNTED}), sumIf({BLOCK_HASH}, {COUNTED})"
    return f"sum({rollup.counted}), sum({BLOCK_SUM})"


def misfit(client, db: str, rollup: Rollup, candidates: list[str]) -> tuple[set[str], set[str]] | None:
    """The candidate blocks this rollup lacks and those it holds twice: the one signed set whose
    counts and block sums make up the rollup's difference from the events table on every key they
    touch (lacking +1, twice -1, fewest blocks first); None when no set does."""
    keys_e, keys_r = _key_columns(rollup, True), _key_columns(rollup, False)
    contributions: dict[str, dict[Key, Tally]] = {}
    for row in client.query(f"SELECT _batch, {keys_e}, {_count_expr(rollup, True)} FROM {rollup.source(db)} "
                            "WHERE _batch IN {tokens:Array(String)} GROUP BY ALL",
                            parameters={"tokens": candidates}).result_rows:
        if row[-2]:
            contributions.setdefault(row[0], {})[tuple(row[1:-2])] = (int(row[-2]), int(row[-1]) % WRAP)
    keys = {k for counts in contributions.values() for k in counts}
    if not keys:
        return set(), set()
    bounds = {"sites": sorted({k[0] for k in keys}), "lo": min(k[1] for k in keys), "hi": max(k[1] for k in keys)}
    grain = rollup.key_exprs()[1]
    everything = _tallies(client, f"SELECT {keys_e}, {_count_expr(rollup, True)} FROM {rollup.source(db)} "
                                  f"WHERE site IN {{sites:Array(String)}} AND toUnixTimestamp({grain}) "
                                  "BETWEEN {lo:UInt32} AND {hi:UInt32} GROUP BY ALL", bounds)
    stored = _tallies(client, f"SELECT {keys_r}, {_count_expr(rollup, False)} FROM {db}.{rollup.name} "
                              f"WHERE site IN {{sites:Array(String)}} AND toUnixTimestamp({rollup.grain}) "
                              "BETWEEN {lo:UInt32} AND {hi:UInt32} GROUP BY ALL", bounds)
    zero = (0, 0)
    deficit = {k: (everything.get(k, zero)[0] - stored.get(k, zero)[0],
                   (everything.get(k, zero)[1] - stored.get(k, zero)[1]) % WRAP) for k in keys}
    if not any(d != zero for d in deficit.values()):
        return set(), set()
    tokens = [t for t in candidates if t in contributions]
    tried = 0
    for size in range(1, len(tokens) + 1):
        for subset in combinations(tokens, size):
            for signs in product((1, -1), repeat=size):
                total: dict[Key, Tally] = {}
                for t, sign in zip(subset, signs, strict=True):
                    for k, (n, h) in contributions[t].items():
                        n0, h0 = total.get(k, zero)
                        total[k] = (n0 + sign * n, (h0 + sign * h) % WRAP)
                if all(total.get(k, zero) == d for k, d in deficit.items()):
                    return ({t for t, sign in zip(subset, signs, strict=True) if sign > 0},
                            {t for t, sign in zip(subset, signs, strict=True) if sign < 0})
                tried += 1
                if tried > MAX_SUBSETS:
                    return None
    return None


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


def _insert_quietly(client, db: str, rollup: Rollup, select: str, token: str) -> None:
    """Insert into a rollup that feeds others (``rollup.feeds``) without firing their views: they are
    checked and repaired on their own, so an insert through the view would count the block twice."""
    staging = f"{rollup.name}_repair_{uuid.uuid4().hex[:12]}"
    client.command(f"CREATE TABLE {db}.{staging} AS {db}.{rollup.name}")
    try:
        client.command(f"INSERT INTO {db}.{staging} {select}", parameters={"token": token},
                       settings={"insert_deduplicate": 0})
        _attach_all(client, db, staging, rollup.name)
    finally:
        client.command(f"DROP TABLE IF EXISTS {db}.{staging} SYNC")


def _negated(rollup: Rollup, select: str) -> str:
    """The rows of ``select`` taking its counts back: the sums wrap (UInt64), so adding the two's
    complement subtracts; a visitor state merged twice is the same set (left as it is)."""
    counted = ["views", BLOCK_SUM] + (["events"] if rollup.counted == "events" else [])
    return f"SELECT * REPLACE ({', '.join(f'toUInt64(-toInt64({c})) AS {c}' for c in counted)}) FROM ({select})"


def _put(client, db: str, rollup: Rollup, token: str, negate: bool = False) -> None:
    select = rollup.select(db, "_batch = {token:String}")
    if negate:
        select = _negated(rollup, select)
    if rollup.feeds:
        _insert_quietly(client, db, rollup, select, token)
    else:
        client.command(f"INSERT INTO {db}.{rollup.name} {select}", parameters={"token": token},
                       settings={"insert_deduplicate": 0})


def check(client, db: str, rollup: Rollup, token: str) -> str:
    """One block alone: "present", "lacking", "twice", "empty" (it counts nothing here) or "unclear"."""
    found = misfit(client, db, rollup, [token])
    if found is None:
        return "unclear"
    if found[0]:
        return "lacking"
    if found[1]:
        return "twice"
    has_rows = client.query(f"SELECT count() FROM {db}.events WHERE _batch = {{token:String}} AND "
                            f"{'1' if rollup.counted == 'events' else COUNTED}", parameters={"token": token})
    return "present" if has_rows.result_rows[0][0] else "empty"


def repair(client, db: str, tokens: list[str], pending: list[str] = (), settle_s: float = 0.2) -> list[tuple[str, str]]:
    """Give every rollup that lacks one of the replayed blocks ``tokens`` its rows, and take one
    copy back from a rollup that holds one twice (a part that landed without its deduplication
    record: the replay went in again); returns the (rollup, token) pairs repaired.  ``pending``:
    stored blocks not replayed yet (another partition's, or later in this one's), whose rows the
    rollups may still lack for now."""
    candidates = sorted(set(tokens) | set(pending))
    repaired = []
    for rollup in ROLLUP_TABLES:
        found = misfit(client, db, rollup, candidates)
        if found is None:  # another writer's insert in flight on the same keys
            time.sleep(settle_s)
            found = misfit(client, db, rollup, candidates)
        if found is None:
            log.warning("rollup %s: its difference from the events table fits no set of the replayed blocks %s; "
                        "left as is", rollup.name, tokens)
            continue
        missing, twice = found
        for token in sorted(missing & set(tokens)):
            _put(client, db, rollup, token)
            log.warning("rollup %s lacked replayed block %s (a part lost to a crash after its "
                        "deduplication record was written); restored from the events table", rollup.name, token)
            repaired.append((rollup.name, token))
        for token in sorted(twice & set(tokens)):
            _put(client, db, rollup, token, negate=True)
            log.warning("rollup %s held replayed block %s twice (a part that landed without its deduplication "
                        "record); one copy taken back", rollup.name, token)
            repaired.append((rollup.name, token))
    return repaired
