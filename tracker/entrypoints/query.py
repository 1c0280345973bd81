"""``python -m tracker query``: the query API alone, for a ClickHouse server or Pinot.

(With the embedded chDB default, run ``python -m tracker writer``: it serves this API too.)
"""

from __future__ import annotations

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tracker.entrypoints.serving import parser, settle


def main(argv: list[str] | None = None) -> int:
    from tracker import bootstrap
    from tracker.query.settings import QuerySettings

    args = parser("query", __doc__).parse_args(argv)
    settings = settle(QuerySettings(), args)
    server.run(bootstrap.query(settings), EdgeLimits.of("query"), host=settings.host, port=settings.port,
               log_level=args.log_level, lifespan="on")
    return 0
