"""``python -m dashboard [--host H] [--port P]``: run the shell and its gateway."""

from __future__ import annotations

import argparse

from gatekeeper import server
from gatekeeper.limits import EdgeLimits
from dashboard.app import create_app
from dashboard.settings import DashboardSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    parser.add_argument("--host", help="interface to listen on (default from settings: 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default from settings: 8000)")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = DashboardSettings(**overrides)
    server.run(create_app(settings), EdgeLimits.of("dashboard"), host=settings.host, port=settings.port,
               log_level=args.log_level, proxy_headers=False,
               timeout_graceful_shutdown=settings.shutdown_grace_seconds)


if __name__ == "__main__":
    main()
