"""A plain static file host for widget folders, as any team could run one: files
with their MIME types, and a log line only for what went wrong.

    python platform/static_host.py --port 8100 --directory widgets
"""

from __future__ import annotations

import argparse
import signal
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class QuietFiles(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".mjs": "text/javascript",
                      ".map": "application/json", ".svg": "image/svg+xml"}

    def log_request(self, code="-", size="-") -> None:
        if str(code).isdigit() and int(code) >= 400:
            super().log_request(code, size)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        sys.stdout.write(f"{self.address_string()} {format % args}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--directory", default="widgets")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), partial(QuietFiles, directory=args.directory))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"serving {args.directory} on http://{args.host}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
