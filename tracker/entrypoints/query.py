"""``python -m tracker query``: the query API alone, for a ClickHouse server or Pinot.

(With the embedded chDB default, run ``python -m tracker writer``: it serves this API too.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from gatekeeper import server
from gatekeeper.limits import EdgeLimits


def build(settings):
    from tracker.olap.factory import make_store
    from tracker.query.app import create_app
    from tracker.query.live import LiveFeed
    from tracker.query.publisher import MinutePublisher, tick

    store = make_store(settings.olap_backend, settings.olap_dsn, settings.olap_database, settings.pinot_table)
    feed = LiveFeed(settings.stream_ring)
    publisher = MinutePublisher(store, feed, store.watermark)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        tasks = [asyncio.create_task(publisher.run()),
                 asyncio.create_task(tick(publisher, lambda: [s for s in app.state.api.watchers if s != "*"]))]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            store.close()

    return create_app(store, settings, feed, store.watermark, lifespan=lifespan)


def main(argv: list[str] | None = None) -> int:
    from tracker.query.settings import QuerySettings

    parser = argparse.ArgumentParser(prog="python -m tracker query", description=__doc__)
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = QuerySettings()
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = settings.model_copy(update=overrides)
    server.run(build(settings), EdgeLimits.of("query"), host=settings.host, port=settings.port,
               log_level=args.log_level, lifespan="on")
    return 0
