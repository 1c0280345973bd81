"""``python -m tracker collector [--host H] [--port P]``: the pixel and batch collector."""

from __future__ import annotations

import argparse
import logging

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from tracker.collector.app import create_app
from tracker.collector.settings import CollectorSettings


def parse_args(argv: list[str], settings: CollectorSettings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tracker collector", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--stream-backend", choices=["local", "kafka", "memory"], default=settings.stream_backend)
    parser.add_argument("--log-level", default="info")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    settings = CollectorSettings()
    args = parse_args(list(argv or []), settings)
    settings = settings.model_copy(update={"host": args.host, "port": args.port,
                                           "stream_backend": args.stream_backend})
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(settings)
    limits = EdgeLimits.of("collector", max_body_bytes=settings.max_batch_bytes)
    server.run(app, limits, host=settings.host, port=settings.port, loop="uvloop",
               lifespan="on", log_level=args.log_level, access_log=False, server_header=False,
               proxy_headers=False)  # X-Forwarded-For is honoured only via trust_forwarded_for
    return 0
