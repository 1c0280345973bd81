"""The previous period of a KPI summary is kept once it can no longer change (``closed_answers``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from tracker.event import PAST_SKEW_S
from tracker.query.app import create_app
from tracker.query.closed_answers import ClosedAnswers, closed
from tracker.query.settings import QuerySettings
from tests.tracker.query.test_breakdown_chdb import T0, stores  # noqa: F401 - the module's stores fixture


class Counting:
    """The store, counting the summaries read from it."""

    def __init__(self, store) -> None:
        self.store, self.scopes = store, []

    def summary(self, scope):
        self.scopes.append(scope)
        return self.store.summary(scope)

    def __getattr__(self, name):
        return getattr(self.store, name)


PARAMS = {"site": "demo.local", "from": "2026-11-22T10:00:00Z", "to": "2026-11-22T11:00:00Z"}


def summaries(store, watermark: datetime, n: int = 3) -> tuple[list[dict], Counting]:
    counting = Counting(store)
    app = create_app(counting, QuerySettings(olap_dsn="chdb:///unused"), watermark=lambda: watermark,
                     watermark_in_memory=True, clock=lambda: T0 + timedelta(hours=30))
    with TestClient(app) as c:
        return [c.get("/api/v1/metrics/summary", params=PARAMS).json() for _ in range(n)], counting


def test_a_period_a_day_older_than_the_watermark_is_read_once(stores):  # noqa: F811
    chdb, _, _ = stores
    answers, counting = summaries(chdb, datetime(2026, 11, 23, 10, 0, 1, tzinfo=UTC))  # the period before ends at 10:00
    assert [a["previous"] for a in answers] == [answers[0]["previous"]] * 3 and answers[0]["previous"]["views"] > 0
    ends = [s.end.hour for s in counting.scopes]
    assert sorted(ends[:2]) == [10, 11] and ends[2:] == [11, 11]  # both side by side, then the current only


def test_a_period_that_may_still_receive_events_is_read_every_time(stores):  # noqa: F811
    chdb, _, _ = stores
    # a record appended now may carry a client time up to a day old: 10:00 on the 22nd is not yet a day behind
    answers, counting = summaries(chdb, datetime(2026, 11, 23, 9, 59, 59, tzinfo=UTC))
    assert len(counting.scopes) == 6 and answers[0]["previous"] == answers[2]["previous"]


def test_closed_needs_a_watermark_a_full_skew_past_the_end():
    end = datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert closed(end, end + timedelta(seconds=PAST_SKEW_S))
    assert not closed(end, end + timedelta(seconds=PAST_SKEW_S - 1))
    assert not closed(end, None)


def test_answers_expire_after_their_ttl_and_the_oldest_leave_first():
    now = [0.0]
    cache = ClosedAnswers(ttl=60, size=2, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the newest used
    cache.put("c", 3)  # b leaves
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    now[0] = 61
    assert cache.get("a") is None and cache.get("c") is None
