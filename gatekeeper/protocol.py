"""uvicorn's httptools protocol with limits that bite while a request is being read.

Stock uvicorn buffers any number of header bytes and fields, never times out a client
that sends its headers slowly (or nothing at all), and hands any body size to the app.
``EdgeProtocol`` counts head bytes in ``data_received`` before the parser sees them, so a
header flood costs at most ``max_header_bytes``; it counts fields and URL bytes in the
parser's callbacks, checks a declared ``Content-Length`` before the app starts and
counts chunked bodies as they arrive. One timer per connection replaces uvicorn's
keep-alive timer: an idle connection closes after ``keep_alive_timeout``, and a request
whose headers (or body) take longer than ``header_timeout`` (``body_timeout``) is
answered 408 and closed. Refusals are JSON naming the limit, then the connection closes.

The timer costs what uvicorn's keep-alive timer cost (one arm, one cancel per request),
and requests without a body skip the JSON depth guard, so the pixel stays fast.
"""

from __future__ import annotations

from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gatekeeper.json_guard import JsonDepthGuard
from gatekeeper.limits import EdgeLimits
from gatekeeper.refusal import Refusal


class _Refused(Exception):
    """Raised inside a parser callback to stop the parser once a refusal was sent."""


class EdgeProtocol(HttpToolsProtocol):
    limits = EdgeLimits()

    @classmethod
    def bound(cls, limits: EdgeLimits) -> type[EdgeProtocol]:
        """This protocol with ``limits`` (uvicorn builds one instance per connection)."""
        return type(cls.__name__, (cls,), {"limits": limits})

    def __init__(self, config, server_state, app_state: dict[str, Any], _loop=None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limits = self.limits
        self._max_line = limits.max_request_line
        self._max_head = limits.max_header_bytes
        self._max_headers = limits.max_headers
        self._max_body = limits.max_body_bytes
        self._header_timeout = limits.header_timeout
        self._body_timeout = limits.body_timeout
        self._idle_timeout = min(self.timeout_keep_alive, limits.header_timeout)
        self._plain_app = self.app
        self._json_app = JsonDepthGuard(self.app, limits.max_json_depth) if limits.max_json_depth else None
        self._deadline = None
        self._refused = False
        self._heads = 0  # requests whose headers were complete, to notice one completing inside a feed
        self._in_head, self._head_bytes, self._head_started, self._line_done = True, 0, 0.0, False
        self._fields, self._declared, self._chunked, self._body_bytes = 0, None, False, 0

    # connection life
    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm(self._idle_timeout)  # uvicorn arms nothing before the first request

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if not self._in_head:
            self._feed(data)
            return
        if not self._head_bytes:
            self._head_started = self.loop.time()
        room = self._max_head - self._head_bytes
        head = data if len(data) <= room else data[:room]
        if not self._line_done and b"\n" in head:
            self._line_done = True
        self._head_bytes += len(head)
        heads = self._heads
        try:
            self.parser.feed_data(head)
        except httptools.HttpParserUpgrade:
            self._upgrade()
        except httptools.HttpParserError:
            self._invalid()
        if len(head) == len(data) or self._refused:
            return
        if self._heads == heads:  # the head is still not complete and there is no room left
            if self._line_done:
                self._refuse(Refusal(431, "header", f"request headers exceed {self._max_head} bytes", "max_header_bytes"))
            else:
                self._refuse(Refusal(414, "request-line", f"request line exceeds {self._max_head} bytes",
                                     "max_header_bytes"))
            return
        self.data_received(data[len(head):])

    def _feed(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._upgrade()
        except httptools.HttpParserError:
            self._invalid()

    def _upgrade(self) -> None:
        if self._should_upgrade():
            self.handle_websocket_upgrade()
        else:
            self._unsupported_upgrade_warning()

    def _invalid(self) -> None:
        if not self._refused:  # a refusal raised inside a callback was answered already
            self._refused = True
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)

    # parser callbacks (per-request counters are reset when the previous message completes)
    def on_url(self, url: bytes) -> None:
        self.url += url
        if len(self.url) > self._max_line:
            self._refuse(Refusal(414, "request-line", f"URL exceeds {self._max_line} bytes", "max_request_line"))
            raise _Refused

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields += 1
        if self._fields > self._max_headers:
            self._refuse(Refusal(431, "header", f"more than {self._max_headers} header fields", "max_headers"))
            raise _Refused
        name = name.lower()
        if name == b"content-length":
            self._declared = value
        elif name == b"transfer-encoding":
            self._chunked = True
        elif name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def _end_head(self) -> None:
        """The head is complete: its timer stops (a subclass answering a request itself calls this)."""
        self._in_head = False
        self._heads += 1
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def on_headers_complete(self) -> None:
        self._end_head()
        declared = self._declared
        if declared is not None and declared != b"0":
            if not declared.isdigit() or int(declared) > self._max_body:
                self._refuse(Refusal(413, "body", f"body exceeds {self._max_body} bytes", "max_body_bytes"))
                raise _Refused
            self._arm(self._body_timeout)
            has_body = True
        elif self._chunked:
            self._arm(self._body_timeout)
            has_body = True
        else:
            has_body = False
        if has_body and self._json_app is not None:
            self.app = self._json_app
            try:
                super().on_headers_complete()
            finally:
                self.app = self._plain_app
        else:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > self._max_body:
            self._refuse(Refusal(413, "body", f"body exceeds {self._max_body} bytes", "max_body_bytes"))
            raise _Refused
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._in_head, self._head_bytes, self._line_done = True, 0, False
        self._fields, self._declared, self._chunked, self._body_bytes = 0, None, False, 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        # uvicorn's, with this protocol's timer in place of its keep-alive timer
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
        elif self._deadline is None:
            self._deadline = self.loop.call_later(self._idle_timeout, self._on_deadline)

    # the timer and refusals
    def _arm(self, delay: float) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(delay, self._on_deadline)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _on_deadline(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if not self._in_head:
            self._refuse(Refusal(408, "body", f"body not received within {self._body_timeout:g} s", "body_timeout"))
        elif not self._head_bytes:
            if self.cycle is None or self.cycle.response_complete:
                self.transport.close()  # idle
        else:
            left = self._head_started + self._header_timeout - self.loop.time()
            if left > 0:
                self._arm(left)
            else:
                self._refuse(Refusal(408, "header", f"headers not received within {self._header_timeout:g} s",
                                     "header_timeout"))

    def _refuse(self, refusal: Refusal) -> None:
        """Answer ``refusal`` and close; an app already running for this request sees a disconnect."""
        if self._refused:
            return
        self._refused = True
        self._cancel_deadline()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:
                self.transport.close()
                return
            cycle.disconnected = True
            cycle.message_event.set()
        self.logger.info("refused %s: %s", refusal.status, refusal.msg)
        self.transport.write(refusal.raw(self.server_state.default_headers))
        self.transport.close()
