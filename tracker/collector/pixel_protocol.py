"""The pixel answered from the HTTP protocol itself: ``GET /t.gif`` without ASGI.

A pixel hit is the collector's whole load, and under uvicorn most of its cost was the ASGI
request around it, not the hit: a scope, a request-response cycle, a task, a coroutine
suspended on the group commit and resumed, two ``send`` messages checked header by header
(bench/bench_collector.py: ~64 µs of CPU a hit against ~38 µs this way, the bare ASGI GIF
app ~32, one slow phase).  ``PixelProtocol`` is the edge's protocol (every limit of
``EdgeProtocol`` still applies) with one more step when a head is complete: a ``GET`` or
``HEAD`` of exactly ``/t.gif`` with no body, on a connection with nothing else in flight,
is captured on the spot (``Intake.pixel_records`` and ``CollectorApp.pixel_answer``, the
same calls as the ASGI route) and answered when its group is stored (``GroupCommit.store_then``:
a callback, no future), in one write of bytes rendered once a second.  Anything else, a
pipelined request included, takes the ASGI path as before, and a pending pixel holds the
connection's next request back exactly as uvicorn's own cycle does.
"""

from __future__ import annotations

from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE

from gatekeeper.protocol import EdgeProtocol
from tracker.collector.app import ORIGIN_CACHED_MAX
from tracker.collector.sender import sender_from

PIXEL_PATH = b"/t.gif"
_METHODS = (b"GET", b"HEAD")
RENDERED_MAX = 256  # answers kept rendered at once (a second's worth: the date header changes every second)


class _Quiet:
    def set(self) -> None:  # uvicorn sets its cycle's event when the connection is lost
        pass


_QUIET = _Quiet()


class _Rendered:
    """The GIF's answers as bytes, by (Origin, keep-alive, HEAD), for one value of uvicorn's
    default headers (their date changes every second)."""

    __slots__ = ("defaults", "answers")

    def __init__(self) -> None:
        self.defaults: list | None = None
        self.answers: dict[tuple[bytes, bool, bool], bytes] = {}


class PixelAnswer:
    """Stands where uvicorn keeps its request-response cycle while a pixel is being answered:
    uvicorn reads and sets these fields (a pipelined request waits while ``response_complete``
    is False; ``disconnected`` and ``keep_alive`` are set on a lost connection or a shutdown)."""

    __slots__ = ("response_complete", "response_started", "disconnected", "keep_alive", "more_body", "message_event",
                 "head", "origin", "logged")

    def __init__(self, keep_alive: bool, head: bool, origin: bytes) -> None:
        self.response_complete = self.response_started = self.disconnected = False
        self.keep_alive, self.head, self.origin = keep_alive, head, origin
        self.more_body = True
        self.message_event = _QUIET
        self.logged: tuple[str, str, str] | None = None  # method, target, HTTP version: for the access log


class PixelProtocol(EdgeProtocol):
    collector: Any = None  # the CollectorApp whose intake and answers this protocol uses

    @classmethod
    def serving(cls, collector: Any) -> type[PixelProtocol]:
        """This protocol for ``collector`` (``bound`` then adds the edge limits)."""
        return type(cls.__name__, (cls,), {"collector": collector, "_rendered": _Rendered()})

    def on_message_begin(self) -> None:
        # uvicorn's, but for the ASGI scope: only a request the ASGI route takes needs one (``_asgi_scope``)
        self.url, self.headers, self.expect_100_continue = b"", [], False

    def _asgi_scope(self) -> None:
        """uvicorn's scope for the request read so far (its ``on_message_begin``, the head kept)."""
        url, headers, expect = self.url, self.headers, self.expect_100_continue
        super().on_message_begin()
        self.url, self.expect_100_continue = url, expect
        self.headers = self.scope["headers"] = headers

    def on_headers_complete(self) -> None:
        if self._answers_itself():
            parsed = httptools.parse_url(self.url)
            if parsed.path == PIXEL_PATH:
                self._end_head()
                self._pixel(parsed.query or b"", self.parser.get_method() == b"HEAD")
                return
        self._asgi_scope()
        super().on_headers_complete()

    def _answers_itself(self) -> bool:
        """Whether this request is a pixel hit to answer here: the path's bytes and the method
        first (cheap), then everything that needs uvicorn's own handling."""
        cycle = self.cycle
        return (self.url.startswith(PIXEL_PATH) and self.parser.get_method() in _METHODS
                and self._declared is None and not self._chunked
                and (cycle is None or cycle.response_complete) and not self.pipeline
                and not self.flow.write_paused and not self.parser.should_upgrade()
                and not self.root_path and self.limit_concurrency is None)

    def _pixel(self, query: bytes, head: bool) -> None:
        collector = self.collector
        sender = sender_from(self.headers, self.client, collector.trust_forwarded)
        keep_alive = self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive()
        answer = self.cycle = PixelAnswer(keep_alive, head, sender.origin)
        if self.access_log:  # as uvicorn logs a request (the collector runs without, tests with)
            answer.logged = (self.parser.get_method().decode(), self.url.decode("latin-1"),
                             self.parser.get_http_version())
        try:
            records = collector.intake.pixel_records(query, sender, collector.clock())
        except Exception as exc:
            records = exc
        if records is None or isinstance(records, Exception):  # answered at once, after the parser's
            self.loop.call_soon(self._answer, answer, records)  # end of this message (as an ASGI task would be)
        else:
            collector.committer.store_then(lambda error: self._answer(answer, error), *records)

    def _answer(self, answer: PixelAnswer, error: BaseException | None) -> None:
        answer.response_complete = True
        if answer.disconnected or self.transport.is_closing():
            return  # the hit is stored all the same; nobody is left to tell
        start, body = self.collector.pixel_answer(error, answer.origin)
        if answer.logged is not None:
            client = "%s:%d" % self.client if self.client else "-"
            self.access_logger.info('%s - "%s %s HTTP/%s" %d', client, *answer.logged, start["status"])
        self.transport.write(self._rendered_answer(start, body, answer))
        if not answer.keep_alive:
            self.transport.close()
        self.on_response_complete()

    def _rendered_answer(self, start: dict, body: dict, answer: PixelAnswer) -> bytes:
        """The response's bytes as uvicorn writes them for these messages (its default headers
        first, ``connection: close`` where the connection ends, no body for a HEAD).  The GIF's
        depend only on the Origin (``CollectorApp.gif_start``): kept within the second, unless
        the Origin is longer than a real one; a refusal is rendered each time."""
        defaults = self.server_state.default_headers
        if start["status"] != 200 or len(answer.origin) > ORIGIN_CACHED_MAX:
            return self._render(defaults, start, body, answer)
        rendered = self._rendered
        if rendered.defaults is not defaults or len(rendered.answers) >= RENDERED_MAX:
            rendered.defaults, rendered.answers = defaults, {}
        key = (answer.origin, answer.keep_alive, answer.head)
        data = rendered.answers.get(key)
        if data is None:
            data = rendered.answers[key] = self._render(defaults, start, body, answer)
        return data

    @staticmethod
    def _render(defaults: list, start: dict, body: dict, answer: PixelAnswer) -> bytes:
        parts = [STATUS_LINE[start["status"]]]
        for name, value in (*defaults, *start["headers"]):
            parts += (name, b": ", value, b"\r\n")
        if not answer.keep_alive:
            parts.append(b"connection: close\r\n")
        parts.append(b"\r\n")
        if not answer.head:
            parts.append(body["body"])
        return b"".join(parts)

