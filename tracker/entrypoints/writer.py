"""``python -m tracker writer``: the table writer plus the query API it serves (one chDB engine)."""

from __future__ import annotations

import argparse
import logging

from gatekeeper import server
from gatekeeper.limits import EdgeLimits


def main(argv: list[str] | None = None) -> int:
    from tracker.query.settings import QuerySettings
    from tracker.writer.bootstrap import bootstrap
    from tracker.writer.settings import WriterSettings

    parser = argparse.ArgumentParser(prog="python -m tracker writer", description=__doc__)
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = WriterSettings()
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = settings.model_copy(update=overrides)
    service = bootstrap(settings, QuerySettings())
    # the query API it serves reads the query service's limits (TESSERA_QUERY_MAX_HEADERS, ...)
    server.run(service.app, EdgeLimits.of("query"), host=settings.host, port=settings.port,
               log_level=args.log_level, timeout_graceful_shutdown=20, lifespan="on")
    return 0
