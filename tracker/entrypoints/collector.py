"""``python -m tracker collector [--host H] [--port P] [--stream-backend B]``: the pixel and batch collector."""

from __future__ import annotations

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tracker import bootstrap
from tracker.collector.settings import CollectorSettings
from tracker.entrypoints.serving import parser, settle


def main(argv: list[str] | None = None) -> int:
    options = parser("collector", __doc__)
    options.add_argument("--stream-backend", choices=["local", "kafka", "memory"],
                         help="default: TESSERA_COLLECTOR_STREAM_BACKEND, else local")
    args = options.parse_args(list(argv or []))
    settings = settle(CollectorSettings(), args, "stream_backend")
    app = bootstrap.collector(settings)
    limits = EdgeLimits.of("collector", max_body_bytes=settings.max_batch_bytes)
    server.run(app, limits, host=settings.host, port=settings.port, loop="uvloop",
               lifespan="on", log_level=args.log_level, access_log=False, server_header=False,
               proxy_headers=False)  # X-Forwarded-For is honoured only via trust_forwarded_for
    return 0
