"""``python -m tracker writer``: the table writer plus the query API it serves (one chDB engine)."""

from __future__ import annotations

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tracker.entrypoints.serving import parser, settle


def main(argv: list[str] | None = None) -> int:
    from tracker import bootstrap
    from tracker.query.settings import QuerySettings
    from tracker.writer.settings import WriterSettings

    args = parser("writer", __doc__).parse_args(argv)
    settings = settle(WriterSettings(), args)
    service = bootstrap.writer(settings, QuerySettings())
    # the query API it serves reads the query service's limits (TESSERA_QUERY_MAX_HEADERS, ...)
    server.run(service.app, EdgeLimits.of("query"), host=settings.host, port=settings.port,
               log_level=args.log_level, timeout_graceful_shutdown=20, lifespan="on")
    return 0
