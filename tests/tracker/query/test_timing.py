"""``ServerTiming``: every answer of the query API says how long the service took before it began."""

import re

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tracker.query.timing import ServerTiming


def test_the_answer_carries_the_time_taken_before_it_began():
    ticks = iter([10.0, 10.25])

    async def hello(request):
        return PlainTextResponse("hi", headers={"x-kept": "1"})

    app = Starlette(routes=[Route("/", hello)], middleware=[Middleware(ServerTiming, clock=lambda: next(ticks))])
    answer = TestClient(app).get("/")
    assert answer.text == "hi" and answer.headers["x-kept"] == "1"
    assert answer.headers["server-timing"] == "app;dur=250.0"


def test_the_query_api_times_its_answers(tmp_path):
    from tracker.olap.memory import MemoryStore
    from tracker.query.app import create_app
    from tracker.query.settings import QuerySettings

    answer = TestClient(create_app(MemoryStore(), QuerySettings())).get("/api/v1/metrics/visitors?site=a.example")
    assert answer.status_code == 200
    assert re.fullmatch(r"app;dur=\d+\.\d", answer.headers["server-timing"])
