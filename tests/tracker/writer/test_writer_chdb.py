"""The writer into real chDB: exactly N counted, across replays and OLAP outages."""


import pytest
from resilience import Backoff, CircuitBreaker

from tracker.event import EVENTS_TOPIC
from tracker.olap.port import OlapUnavailable
from tracker.writer.batching import BatchPolicy
from tracker.writer.loop import TableWriter

pytestmark = pytest.mark.integration


def writer_for(kit, log, store, consumer=None, max_rows=100):
    return TableWriter(consumer or kit.FakeConsumer(log), kit.FakeProducer(log), store,
                       BatchPolicy(max_rows=max_rows, max_age_ms=5, idle_poll_ms=5),
                       backoff=Backoff(base=0.001, cap=0.02),
                       breaker=CircuitBreaker(failure_threshold=3, reset_timeout=0.02))


def fill(kit, log, n, start=0):
    log.append(EVENTS_TOPIC, [kit.encode(kit.make_event(i)) for i in range(start, start + n)])


def end_offsets(log):
    return {tp: len(rs) for tp, rs in log.records.items() if tp.topic == EVENTS_TOPIC}


def counted(store):
    views = store.client.query(f"SELECT sum(views) FROM {store.db}.site_minute").result_rows[0][0]
    rows = store.client.query(f"SELECT count() FROM {store.db}.events FINAL").result_rows[0][0]
    pages = store.client.query(f"SELECT sum(views) FROM {store.db}.dim_minute WHERE dim = 'path'").result_rows[0][0]
    return views, rows, pages


async def test_n_events_are_counted_exactly_n_times(kit, chdb_store):
    log = kit.FakeLog()
    fill(kit, log, 1000)
    await kit.run_until(writer_for(kit, log, chdb_store), lambda: log.offsets == end_offsets(log))
    assert counted(chdb_store) == (1000, 1000, 1000)


@pytest.mark.parametrize("first,second", [(100, 100), (100, 37), (64, 250)])
async def test_replay_after_crash_between_insert_and_commit(kit, chdb_store, first, second):
    log = kit.FakeLog()
    fill(kit, log, 700)
    lost = kit.FakeConsumer(log, lose_commits=True)
    w1 = writer_for(kit, log, chdb_store, consumer=lost, max_rows=first)
    await kit.run_until(w1, lambda: w1.progress.counters.rows >= 700)
    assert log.offsets == {}
    w2 = writer_for(kit, log, chdb_store, max_rows=second)
    await kit.run_until(w2, lambda: log.offsets == end_offsets(log))
    assert counted(chdb_store) == (700, 700, 700)
    assert w2.progress.counters.replayed == 700


async def test_replay_of_the_same_batch_is_absorbed_by_the_dedup_token(kit, chdb_store):
    """Without the lookup (a writer that forgets what OLAP holds), same boundaries: the token alone dedups."""
    log = kit.FakeLog(partitions=1)
    fill(kit, log, 200)
    w1 = writer_for(kit, log, chdb_store, consumer=kit.FakeConsumer(log, lose_commits=True), max_rows=50)
    await kit.run_until(w1, lambda: w1.progress.counters.rows >= 200)
    w2 = writer_for(kit, log, chdb_store, max_rows=50)
    w2.guard.needs_lookup = lambda tp, first: False  # no lookup: blocks look fresh
    await kit.run_until(w2, lambda: log.offsets == end_offsets(log))
    assert w2.progress.counters.rows == 200  # inserted again, as far as the writer knows
    assert counted(chdb_store) == (200, 200, 200)


async def test_a_rollup_part_lost_in_a_crash_is_restored_by_the_replay(kit, chdb_store):
    """kill -9 between the events part and a view's part: the re-inserted block fills the view."""
    log = kit.FakeLog(partitions=1)
    fill(kit, log, 120)
    w1 = writer_for(kit, log, chdb_store, consumer=kit.FakeConsumer(log, lose_commits=True), max_rows=1000)
    await kit.run_until(w1, lambda: w1.progress.counters.rows >= 120)
    c = chdb_store.client
    for (part,) in c.query("SELECT name FROM system.parts WHERE database = {db:String} AND table = 'dim_minute' "
                           "AND active", parameters={"db": chdb_store.db}).result_rows:  # site_minute's rows too
        c.command(f"ALTER TABLE {chdb_store.db}.dim_minute DROP PART '{part}'")
    assert counted(chdb_store)[0] == 0
    w2 = writer_for(kit, log, chdb_store, max_rows=7)  # other boundaries: the stored block is rebuilt
    await kit.run_until(w2, lambda: log.offsets == end_offsets(log))
    assert counted(chdb_store) == (120, 120, 120)
    assert w2.progress.counters.replayed == 120


@pytest.mark.parametrize("second", [7, 1000])
async def test_an_events_part_lost_in_a_crash_with_its_views_kept_is_not_counted_twice(kit, chdb_store, tmp_path,
                                                                                       second):
    """kill -9 after the views' parts and before the events table's: the rows are counted in the rollups
    and absent from the events table.  The journal of inserts started (tracker.olap.intents) makes the
    replay cut the same block, so the views drop it and the events table gets it back, whatever batch
    size the restarted writer has (7: the batch fills before the block is whole and gives back what is past)."""
    from tracker.olap.intents import Intents

    chdb_store.intents = Intents(tmp_path / "intents")
    log = kit.FakeLog(partitions=1)
    fill(kit, log, 120)
    w1 = writer_for(kit, log, chdb_store, consumer=kit.FakeConsumer(log, lose_commits=True), max_rows=1000)
    await kit.run_until(w1, lambda: w1.progress.counters.rows >= 120)
    chdb_store.client.command(f"ALTER TABLE {chdb_store.db}.events DELETE WHERE 1", settings={"mutations_sync": 2})
    assert counted(chdb_store) == (120, 0, 120)
    fill(kit, log, 30, start=120)  # more arrived meanwhile: a fresh cut would make other blocks
    w2 = writer_for(kit, log, chdb_store, max_rows=second)
    await kit.run_until(w2, lambda: log.offsets == end_offsets(log))
    assert counted(chdb_store) == (150, 150, 150)
    assert chdb_store.repair_replayed([], []) == []


class Flaky:
    """An OLAP sink that refuses the first ``failures`` calls."""

    def __init__(self, store, failures):
        self.store, self.failures = store, failures

    def insert(self, batch, token):
        if self.failures > 0:
            self.failures -= 1
            raise OlapUnavailable("down (test)")
        return self.store.insert(batch, token)

    def stored_blocks(self, *args):
        if self.failures > 0:
            self.failures -= 1
            raise OlapUnavailable("down (test)")
        return self.store.stored_blocks(*args)

    def intended_blocks(self):
        return self.store.intended_blocks()

    def restore_if_dropped(self, batch, token):
        return self.store.restore_if_dropped(batch, token)

    def repair_replayed(self, tokens, pending=()):
        return self.store.repair_replayed(tokens, pending)


async def test_olap_outage_holds_then_catches_up(kit, chdb_store):
    log = kit.FakeLog()
    fill(kit, log, 500)
    w = writer_for(kit, log, Flaky(chdb_store, failures=12))
    commits_during_outage = []
    w.breaker.on_change = lambda old, new: commits_during_outage.append(dict(log.offsets))
    await kit.run_until(w, lambda: log.offsets == end_offsets(log))
    assert commits_during_outage and commits_during_outage[0] == {}
    assert w.progress.counters.olap_failures >= 12
    assert counted(chdb_store) == (500, 500, 500)


async def test_poison_goes_to_dlq_and_counts_reconcile(kit, chdb_store):
    from tracker.event import DEAD_LETTER_TOPIC

    log = kit.FakeLog()
    fill(kit, log, 100)
    log.append(EVENTS_TOPIC, [(b"x", b"[]"), (b"y", b'{"event_id":"zz"}')])
    fill(kit, log, 100, start=100)
    w = writer_for(kit, log, chdb_store)
    await kit.run_until(w, lambda: log.offsets == end_offsets(log))
    assert len(log.values(DEAD_LETTER_TOPIC)) == 2
    assert counted(chdb_store)[0] == 200
    assert w.progress.counters.rows + w.progress.counters.dead_lettered == 202
