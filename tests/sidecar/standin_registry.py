"""A development stand-in for ``python -m registry`` (in-memory, stdlib only).

Only for developing the sidecar while the real registry was being written; the
integration tests run against the real registry unless TESSERA_TEST_STANDIN_REGISTRY=1.
Run: python tests/sidecar/standin_registry.py --port P
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WIDGETS: dict[str, dict] = {}
LOCK = threading.Lock()


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def public(widget: dict) -> dict:
    status = "live" if widget["expires"] > time.time() else "stale"
    return {**widget["manifest"], "status": status, "lease_expires_at": iso(widget["expires"])}


class Handler(BaseHTTPRequestHandler):
    def _reply(self, status: int, body: object | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")

    def do_GET(self) -> None:
        if self.path == "/healthz":
            return self._reply(200, {"status": "ok"})
        if self.path.startswith("/api/v1/widgets"):
            with LOCK:
                return self._reply(200, {"items": [public(w) for w in WIDGETS.values()]})
        self._reply(404, {"detail": "not found"})

    def do_PUT(self) -> None:
        match = re.fullmatch(r"/api/v1/widgets/([^/]+)", self.path)
        if not match:
            return self._reply(404, {"detail": "not found"})
        manifest = self._body()
        if "-" not in manifest.get("element", ""):
            return self._reply(422, {"detail": [{"loc": ["body", "element"], "msg": "not a custom element name", "type": "value_error"}]})
        with LOCK:
            WIDGETS[match[1]] = {"manifest": manifest, "expires": time.time() + manifest.get("ttl", 15)}
            self._reply(200, {"id": match[1], "status": "live", "lease_expires_at": iso(WIDGETS[match[1]]["expires"])})

    def do_POST(self) -> None:
        if match := re.fullmatch(r"/api/v1/widgets/([^/]+)/heartbeat", self.path):
            with LOCK:
                widget = WIDGETS.get(match[1])
                if widget is None:
                    return self._reply(404, {"detail": "unknown widget"})
                widget["expires"] = time.time() + widget["manifest"].get("ttl", 15)
                return self._reply(200, {"lease_expires_at": iso(widget["expires"])})
        if match := re.fullmatch(r"/api/v1/registry/([^/]+)", self.path):
            body = self._body()
            with LOCK:
                WIDGETS[match[1]] = {"manifest": {"id": match[1], **body}, "expires": time.time() + 15}
            return self._reply(200, {"id": match[1], "status": "live"})
        self._reply(404, {"detail": "not found"})

    def do_DELETE(self) -> None:
        match = re.fullmatch(r"/api/v1/widgets/([^/]+)", self.path)
        with LOCK:
            if match:
                WIDGETS.pop(match[1], None)
        self._reply(204)

    def log_message(self, format: str, *args: object) -> None:
        print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    ThreadingHTTPServer((options.host, options.port), Handler).serve_forever()
