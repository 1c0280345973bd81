"""What the launcher's small stdlib HTTP servers share: log only failed requests, and
serve until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietLog(BaseHTTPRequestHandler):
    """A handler mixin that answers `GET /healthz` and logs a request only when it failed (status ≥ 400).

    ``timeout`` bounds every socket read, so a client that trickles its request (slowloris)
    is closed after it instead of holding a thread forever."""

    timeout: float = 10.0

    def setup(self) -> None:
        self.timeout = getattr(self.server, "client_timeout", self.timeout)
        super().setup()

    def answered_health(self) -> bool:
        if self.path != "/healthz":
            return False
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def log_request(self, code="-", size="-") -> None:
        if str(code).isdigit() and int(code) >= 400:
            super().log_request(code, size)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        sys.stdout.write(f"{self.address_string()} {format % args}\n")


class QuietServer(ThreadingHTTPServer):
    """A threading server whose listen backlog takes a burst of connections (the standard
    library's 5 made the 6th and later connections of a burst wait for SYN retransmits, 1-7 s)."""

    request_queue_size = 128
    daemon_threads = True


def add_timeout_option(parser) -> None:
    parser.add_argument("--timeout", type=float, default=QuietLog.timeout,
                        help="seconds a client may take for each read before it is closed")


def serve(server: ThreadingHTTPServer, banner: str, timeout: float | None = None) -> int:
    if timeout is not None:
        server.client_timeout = timeout
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(banner, flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0
