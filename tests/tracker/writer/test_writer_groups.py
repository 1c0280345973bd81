"""One insert per flush across partitions, into real chDB: exactly N counted across crashes,
whether the restarted writer holds every partition of a stored group or only some."""


import pytest
from resilience import Backoff, CircuitBreaker

from tracker.event import EVENTS_TOPIC
from tracker.stream.port import TopicPartition
from tracker.writer.batching import BatchPolicy
from tracker.writer.loop import TableWriter

pytestmark = pytest.mark.integration


class Spy:
    """The real store, with the tokens it was asked to insert."""

    def __init__(self, store):
        self.store, self.tokens = store, []

    def insert(self, batch, token):
        self.tokens.append(token)
        return self.store.insert(batch, token)

    def __getattr__(self, name):
        return getattr(self.store, name)


def owning(kit, log, partitions):
    """A consumer-group member that owns only these partitions (the others are another member's)."""
    mine = {TopicPartition(EVENTS_TOPIC, p) for p in partitions}

    class Member(type(kit.FakeConsumer(log))):
        @property
        def assignment(self):
            return set(mine)

        def _take(self, max_records):
            out = {}
            for tp, records in super()._take(max_records).items():
                if tp in mine:
                    out[tp] = records
                else:  # not ours: leave it where it was
                    self.positions[tp] = records[0].offset
            return out

    return Member(log)


def writer_for(kit, log, store, consumer=None, max_rows=100):
    return TableWriter(consumer or kit.FakeConsumer(log), kit.FakeProducer(log), store,
                       BatchPolicy(max_rows=max_rows, max_age_ms=5, idle_poll_ms=5),
                       backoff=Backoff(base=0.001, cap=0.02),
                       breaker=CircuitBreaker(failure_threshold=3, reset_timeout=0.02))


def fill(kit, log, n, start=0):
    log.append(EVENTS_TOPIC, [kit.encode(kit.make_event(i)) for i in range(start, start + n)])


def end_offsets(log, partitions=None):
    return {tp: len(rs) for tp, rs in log.records.items()
            if tp.topic == EVENTS_TOPIC and (partitions is None or tp.partition in partitions)}


def counted(store):
    q = store.client.query
    return (q(f"SELECT sum(views) FROM {store.db}.site_minute").result_rows[0][0],
            q(f"SELECT count() FROM {store.db}.events FINAL").result_rows[0][0],
            q(f"SELECT sum(views) FROM {store.db}.dim_minute WHERE dim = 'path'").result_rows[0][0],
            q(f"SELECT sum(views) FROM {store.db}.site_hour").result_rows[0][0])


async def test_one_flush_is_one_insert_across_partitions(kit, chdb_store):
    log = kit.FakeLog(partitions=3)
    fill(kit, log, 90)
    spy = Spy(chdb_store)
    await kit.run_until(writer_for(kit, log, spy, max_rows=1000), lambda: log.offsets == end_offsets(log))
    assert len(spy.tokens) == 1
    assert spy.tokens[0].count("+") == 2  # three partitions' blocks, one token
    assert counted(chdb_store) == (90, 90, 90, 90)


@pytest.mark.parametrize("first,second", [(100, 100), (100, 37), (64, 250)])
async def test_groups_replay_exactly_after_a_crash(kit, chdb_store, first, second):
    log = kit.FakeLog(partitions=3)
    fill(kit, log, 700)
    w1 = writer_for(kit, log, chdb_store, consumer=kit.FakeConsumer(log, lose_commits=True), max_rows=first)
    await kit.run_until(w1, lambda: w1.progress.counters.rows >= 700)
    w2 = writer_for(kit, log, chdb_store, max_rows=second)
    await kit.run_until(w2, lambda: log.offsets == end_offsets(log))
    assert counted(chdb_store) == (700, 700, 700, 700)
    assert w2.progress.counters.replayed == 700


async def test_groups_split_between_members_are_settled_and_their_lost_rollup_part_restored(kit, chdb_store):
    """After the crash the partitions are split between two members: neither can re-insert a stored
    group whole, so each commits its blocks of it without an insert and the rollups are checked
    against the events table (here a view part was lost, as in a kill -9)."""
    log = kit.FakeLog(partitions=3)
    fill(kit, log, 300)
    w1 = writer_for(kit, log, chdb_store, consumer=kit.FakeConsumer(log, lose_commits=True), max_rows=1000)
    await kit.run_until(w1, lambda: w1.progress.counters.rows >= 300)
    c, db = chdb_store.client, chdb_store.db
    for (part,) in c.query("SELECT name FROM system.parts WHERE database = {db:String} AND table = 'site_minute' "
                           "AND active", parameters={"db": db}).result_rows:
        c.command(f"ALTER TABLE {db}.site_minute DROP PART '{part}'")
    fill(kit, log, 60, start=300)  # and more traffic meanwhile
    a = writer_for(kit, log, chdb_store, consumer=owning(kit, log, {0}), max_rows=40)
    await kit.run_until(a, lambda: all(log.offsets.get(tp) == n for tp, n in end_offsets(log, {0}).items()))
    b = writer_for(kit, log, chdb_store, consumer=owning(kit, log, {1, 2}), max_rows=40)
    await kit.run_until(b, lambda: log.offsets == end_offsets(log))
    assert counted(chdb_store) == (360, 360, 360, 360)
    assert a.progress.counters.rows + b.progress.counters.rows == 60  # the stored group was not inserted again
