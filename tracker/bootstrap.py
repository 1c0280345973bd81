"""The tracker's composition root: each process built from its typed settings.

    collector(CollectorSettings)              -> the pixel and batch collector (an ASGI app)
    writer(WriterSettings, QuerySettings)     -> the table writer and the query API it serves
    query(QuerySettings)                      -> the query API alone (ClickHouse server, Pinot)

chDB is one engine per process, so with the embedded default the process that writes
also answers queries; the query API is wired in one place (``query_api``) for both.
Nothing here does I/O until a lifespan starts; the entrypoints only parse arguments.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from resilience import Backoff, CircuitBreaker
from starlette.applications import Starlette
from starlette.responses import JSONResponse

from tracker.collector.settings import CollectorSettings
from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.olap.factory import open_store
from tracker.query.app import create_app as create_query_app
from tracker.query.live import LiveFeed
from tracker.query.publisher import ALL, MinutePublisher, tick
from tracker.query.settings import QuerySettings
from tracker.query.wire import iso
from tracker.stream.factory import make_consumer, make_producer
from tracker.stream.port import Consumer, Producer
from tracker.writer.batching import BatchPolicy
from tracker.writer.closing import MinuteCloser
from tracker.writer.loop import TableWriter
from tracker.writer.progress import Progress
from tracker.writer.settings import WriterSettings

log = logging.getLogger("tessera.tracker")
Hook = Callable[[], Awaitable[None]]


# -- collector ---------------------------------------------------------------
def collector(settings: CollectorSettings, producer: Producer | None = None):
    """The collector on the stream its settings name (``producer`` replaces it in tests)."""
    from tracker.collector.app import create_app

    return create_app(settings, producer or make_producer(settings))


# -- query API ---------------------------------------------------------------
@dataclass
class QueryApi:
    """The query API of one process, and what its lifespan runs around it."""

    app: Starlette
    feed: LiveFeed
    publisher: MinutePublisher
    on_start: list[Hook] = field(default_factory=list)  # in order, before serving
    on_stop: list[Hook] = field(default_factory=list)  # in order, after serving


def query_api(store, settings: QuerySettings, watermark, watermark_in_memory: bool = False) -> QueryApi:
    """The query API over ``store`` with its live feed; the minute publisher pushes to the
    sites someone streams. The store is closed after every ``on_stop`` hook ran.
    ``watermark_in_memory``: ``watermark`` reads no store (the writer's progress)."""
    feed = LiveFeed(settings.stream_ring)
    publisher = MinutePublisher(store, feed, watermark, watched=lambda: ())

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            for hook in parts.on_start:
                await hook()
            yield
        finally:
            stopping, parts.on_stop[:] = list(parts.on_stop), []  # registered by this start
            for hook in stopping:
                with contextlib.suppress(Exception):
                    await hook()
            store.close()

    app = create_query_app(store, settings, feed, watermark, lifespan=lifespan, watermark_in_memory=watermark_in_memory)
    watchers = app.state.api.watchers
    publisher.watched = lambda: watchers
    parts = QueryApi(app, feed, publisher)
    parts.on_start.append(_background(parts, publisher.run, "minute-publisher"))
    return parts


def _background(parts: QueryApi, work: Callable[[], Awaitable[None]], name: str) -> Hook:
    """A hook that starts ``work()`` as a task, and registers its cancellation on stop."""

    async def start() -> None:
        task = asyncio.create_task(work(), name=name)

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

        parts.on_stop.append(stop)

    return start


def query(settings: QuerySettings, store=None) -> Starlette:
    """The query API alone: a ticker refreshes the minutes of the sites someone watches."""
    store = store or open_store(settings)
    parts = query_api(store, settings, store.watermark)
    watchers = parts.app.state.api.watchers
    watched = lambda: [site for site in watchers if site != ALL]  # noqa: E731
    parts.on_start.append(_background(parts, lambda: tick(parts.publisher, watched), "minute-ticker"))
    return parts.app


# -- writer ------------------------------------------------------------------
@dataclass
class WriterService:
    settings: WriterSettings
    writer: TableWriter
    store: object
    feed: LiveFeed
    publisher: MinutePublisher
    app: Starlette


def table_writer(settings: WriterSettings, consumer: Consumer, dead_letters: Producer, store,
                 progress: Progress) -> TableWriter:
    return TableWriter(
        consumer, dead_letters, store,
        BatchPolicy(settings.batch_max_rows, settings.batch_max_age_ms, settings.idle_poll_ms,
                    cpu_share=settings.batch_cpu_share, busy_age_ms=settings.batch_busy_age_ms),
        progress,
        Backoff(base=settings.retry_base_ms / 1000, factor=2.0, cap=settings.retry_cap_ms / 1000),
        CircuitBreaker(failure_threshold=5, reset_timeout=2.0, name="olap"),
        DEAD_LETTER_TOPIC,
    )


def writer(settings: WriterSettings, query: QuerySettings | None = None, *, consumer: Consumer | None = None,
           dead_letters: Producer | None = None, store=None, exit_on_failure: bool = True) -> WriterService:
    """The table writer (stream -> OLAP) and the query API over the same store, pushed to on
    each commit. If the writer fails for good, the process stops (``exit_on_failure``)."""
    if settings.olap_backend == "pinot":
        raise ValueError("Pinot ingests the topic itself: run `python -m tracker query` with "
                         "TESSERA_QUERY_OLAP_BACKEND=pinot instead of the writer")
    query = query or QuerySettings()
    consumer = consumer or make_consumer(settings, settings.group_id, [EVENTS_TOPIC])
    dead_letters = dead_letters or make_producer(settings)
    if store is None:
        store = open_store(settings)
        if settings.olap_backend == "chdb":
            store.sole_writer()  # chDB runs in this process: no one else writes its database
    progress = Progress()
    loop = table_writer(settings, consumer, dead_letters, store, progress)
    parts = query_api(store, query, progress.watermark, watermark_in_memory=True)
    progress.listeners.append(lambda batch: parts.publisher.mark(batch.minutes))
    closer = MinuteCloser(store)
    progress.listeners.append(closer.mark)

    async def migrate() -> None:
        if hasattr(store, "migrate"):
            await asyncio.to_thread(store.migrate, settings.events_ttl_days)

    async def start_writing() -> None:
        writing = asyncio.create_task(loop.run(), name="table-writer")

        def on_done(task: asyncio.Task) -> None:
            if task.cancelled() or task.exception() is None:
                return
            log.error("table writer failed; stopping the process", exc_info=task.exception())
            if exit_on_failure:
                os.kill(os.getpid(), signal.SIGTERM)

        writing.add_done_callback(on_done)

        async def stop_writing() -> None:  # the last batch is flushed and committed first
            loop.request_stop()
            await asyncio.wait_for(writing, timeout=30)

        parts.on_stop.insert(0, stop_writing)

    parts.on_start[:0] = [migrate, start_writing]
    parts.on_start.append(_background(parts, closer.run, "minute-closer"))
    app = parts.app
    app.state.progress = progress

    async def status(request):
        c = progress.counters
        return JSONResponse({**{k: getattr(c, k) for k in c.__dataclass_fields__},
                             "watermark": iso(progress.watermark()), "olap_breaker": loop.breaker.state.value})

    app.add_route("/api/v1/writer/progress", status)
    return WriterService(settings, loop, store, parts.feed, parts.publisher, app)
