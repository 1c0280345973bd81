"""``python -m tracker collector [--host H] [--port P] [--stream-backend B]``: the pixel and batch collector."""

from __future__ import annotations

from typing import Any

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tracker import bootstrap
from tracker.collector.app import CollectorApp
from tracker.collector.pixel_protocol import PixelProtocol
from tracker.collector.settings import CollectorSettings
from tracker.entrypoints.serving import parser, settle


def main(argv: list[str] | None = None) -> int:
    options = parser("collector", __doc__)
    options.add_argument("--stream-backend", choices=["local", "kafka", "memory"],
                         help="default: TESSERA_COLLECTOR_STREAM_BACKEND, else local")
    args = options.parse_args(list(argv or []))
    settings = settle(CollectorSettings(), args, "stream_backend")
    serve(bootstrap.collector(settings), settings, host=settings.host, port=settings.port, log_level=args.log_level,
          server_header=False)
    return 0


def serve(app: CollectorApp, settings: CollectorSettings, **options: Any) -> None:
    """Serve the collector behind the edge limits, the pixel answered by ``PixelProtocol``."""
    limits = EdgeLimits.of("collector", max_body_bytes=settings.max_batch_bytes)
    options = {"loop": "uvloop", "lifespan": "on", "access_log": False, **options,
               "proxy_headers": False}  # X-Forwarded-For is honoured only via trust_forwarded_for
    server.run(app, limits, PixelProtocol.serving(app), **options)
