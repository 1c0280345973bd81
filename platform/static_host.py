"""A plain static file host for widget folders, as any team could run one: files
with their MIME types, and a log line only for what went wrong.

    python platform/static_host.py --port 8100 --directory widgets
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler

from quiet_http import QuietLog, QuietServer, add_timeout_option, serve


class QuietFiles(QuietLog, SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".mjs": "text/javascript",
                      ".map": "application/json", ".svg": "image/svg+xml"}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self.answered_health():
            super().do_GET()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--directory", default="widgets")
    add_timeout_option(parser)
    args = parser.parse_args(argv)
    server = QuietServer((args.host, args.port), partial(QuietFiles, directory=args.directory))
    return serve(server, f"serving {args.directory} on http://{args.host}:{args.port}/", args.timeout)


if __name__ == "__main__":
    sys.exit(main())
