from datetime import UTC, datetime, timedelta

from tracker.olap.port import EventSink
from tracker.writer.closing import MinuteCloser
from tracker.writer.progress import BatchCommitted

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
M = timedelta(minutes=1)


class Sink(EventSink):
    def __init__(self, fail=False):
        self.calls, self.fail = [], fail

    def insert(self, batch, token):
        raise NotImplementedError

    def stored_blocks(self, topic, partition, from_offset):
        return set()

    def close_minutes(self, since, before):
        if self.fail:
            raise OSError("down")
        self.calls.append((since, before))


def committed(*minutes):
    return BatchCommitted(1, 0, 0, None, frozenset(("s", m) for m in minutes))


async def test_closes_only_minutes_that_are_over():
    now = T0 + 2 * M + timedelta(seconds=30)
    sink = Sink()
    closer = MinuteCloser(sink, clock=lambda: now)
    closer.mark(committed(T0, T0 + M, T0 + 2 * M))
    assert await closer.close() == 2
    assert sink.calls == [(T0, T0 + 2 * M)]
    assert closer.pending == {T0 + 2 * M}  # the current minute waits
    assert await closer.close() == 0


async def test_a_late_write_reopens_an_old_minute():
    sink = Sink()
    closer = MinuteCloser(sink, clock=lambda: T0 + 10 * M)
    closer.mark(committed(T0 + 5 * M))
    await closer.close()
    closer.mark(committed(T0))
    await closer.close()
    assert sink.calls == [(T0 + 5 * M, T0 + 6 * M), (T0, T0 + M)]


async def test_a_failed_close_keeps_the_minutes():
    sink = Sink(fail=True)
    closer = MinuteCloser(sink, clock=lambda: T0 + 10 * M)
    closer.mark(committed(T0))
    try:
        await closer.close()
    except OSError:
        pass
    assert closer.pending == {T0}
    sink.fail = False
    assert await closer.close() == 1
