"""The writer process's composition root: stream, OLAP, table writer, query API, live feed.

chDB is one engine per process, so the process that writes also answers queries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from dataclasses import dataclass

from resilience import Backoff, CircuitBreaker
from starlette.applications import Starlette
from starlette.responses import JSONResponse

from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.olap.factory import make_store
from tracker.query.app import create_app
from tracker.query.live import LiveFeed
from tracker.query.publisher import MinutePublisher
from tracker.query.settings import QuerySettings
from tracker.query.wire import iso
from tracker.stream.port import Consumer, Producer
from tracker.writer.batching import BatchPolicy
from tracker.writer.closing import MinuteCloser
from tracker.writer.loop import TableWriter
from tracker.writer.progress import Progress
from tracker.writer.settings import WriterSettings

log = logging.getLogger("tessera.writer")


@dataclass
class WriterService:
    settings: WriterSettings
    writer: TableWriter
    store: object
    feed: LiveFeed
    publisher: MinutePublisher
    app: Starlette


def _stream(settings: WriterSettings) -> tuple[Consumer, Producer]:
    from tracker.stream.factory import make_consumer, make_producer

    return make_consumer(settings, settings.group_id, [EVENTS_TOPIC]), make_producer(settings)


def bootstrap(settings: WriterSettings, query: QuerySettings | None = None, *, consumer: Consumer | None = None,
              dead_letters: Producer | None = None, store=None, exit_on_failure: bool = True) -> WriterService:
    if settings.olap_backend == "pinot":
        raise ValueError("Pinot ingests the topic itself: run `python -m tracker query` with "
                         "TESSERA_QUERY_OLAP_BACKEND=pinot instead of the writer")
    query = query or QuerySettings()
    if consumer is None or dead_letters is None:
        made_consumer, made_producer = _stream(settings)
        consumer = consumer or made_consumer
        dead_letters = dead_letters or made_producer
    store = store or make_store(settings.olap_backend, settings.olap_dsn, settings.olap_database)
    progress = Progress()
    writer = TableWriter(
        consumer, dead_letters, store,
        BatchPolicy(settings.batch_max_rows, settings.batch_max_age_ms, settings.idle_poll_ms,
                    cpu_share=settings.batch_cpu_share, busy_age_ms=settings.batch_busy_age_ms),
        progress,
        Backoff(base=settings.retry_base_ms / 1000, factor=2.0, cap=settings.retry_cap_ms / 1000),
        CircuitBreaker(failure_threshold=5, reset_timeout=2.0, name="olap"),
        DEAD_LETTER_TOPIC,
    )
    feed = LiveFeed(query.stream_ring)
    publisher = MinutePublisher(store, feed, progress.watermark, watched=lambda: ())
    progress.listeners.append(lambda batch: publisher.mark(batch.minutes))
    closer = MinuteCloser(store)
    progress.listeners.append(closer.mark)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if hasattr(store, "migrate"):
            await asyncio.to_thread(store.migrate, settings.events_ttl_days)
        writing = asyncio.create_task(writer.run(), name="table-writer")
        publishing = asyncio.create_task(publisher.run(), name="minute-publisher")
        closing = asyncio.create_task(closer.run(), name="minute-closer")

        def on_done(task: asyncio.Task) -> None:
            if task.cancelled() or task.exception() is None:
                return
            log.error("table writer failed; stopping the process", exc_info=task.exception())
            if exit_on_failure:
                os.kill(os.getpid(), signal.SIGTERM)

        writing.add_done_callback(on_done)
        try:
            yield
        finally:
            writer.request_stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writing, timeout=30)
            for task in (publishing, closing):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
            store.close()

    app = create_app(store, query, feed, progress.watermark, lifespan=lifespan)
    watchers = app.state.api.watchers
    publisher.watched = lambda: watchers
    app.state.progress = progress

    async def status(request):
        c = progress.counters
        return JSONResponse({**{k: getattr(c, k) for k in c.__dataclass_fields__},
                             "watermark": iso(progress.watermark()), "olap_breaker": writer.breaker.state.value})

    app.add_route("/api/v1/writer/progress", status)
    return WriterService(settings, writer, store, feed, publisher, app)
