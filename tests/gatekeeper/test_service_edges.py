"""Every service's real entrypoint, started as a process on 127.0.0.1, refuses header floods,
long request lines and slowloris clients (each fails on the stock uvicorn the services ran on)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.raw_http import read_answer, send_all, status_of
from tests.support.servers import free_port

pytestmark = pytest.mark.integration

# name -> (argv after the interpreter, environment prefix, a path that answers 200)
JSON_ROUTES = {
    "collector": ["/api/v1/events", "/api/event", "/com.snowplowanalytics.snowplow/tp2"],
    "registry": ["/api/v1/registry/deep"],
    "dashboard": ["/api/v1/metrics/pageviews"],
    "writer": ["/api/v1/metrics/pageviews"],
}
SERVICES = {
    "collector": (["-m", "tracker", "collector", "--stream-backend", "memory"], "COLLECTOR", "/t.gif"),
    "registry": (["-m", "registry"], "REGISTRY", "/healthz"),
    "dashboard": (["-m", "dashboard"], "DASHBOARD", "/healthz"),
    "writer": (["-m", "tracker", "writer"], "QUERY", "/healthz"),
}


@pytest.fixture(scope="module", params=sorted(SERVICES))
def service(request, tmp_path_factory):
    argv, prefix, path = SERVICES[request.param]
    tmp = tmp_path_factory.mktemp(request.param)
    port = free_port()
    env = {**os.environ, f"TESSERA_{prefix}_HEADER_TIMEOUT": "1", f"TESSERA_{prefix}_KEEP_ALIVE_TIMEOUT": "1",
           "TESSERA_REGISTRY_DATABASE_URL": f"sqlite:///{tmp / 'registry.db'}",
           "TESSERA_DASHBOARD_DATABASE_URL": f"sqlite:///{tmp / 'dashboard.db'}",
           "TESSERA_WRITER_STREAM_BACKEND": "memory"}
    process = subprocess.Popen([sys.executable, *argv, "--host", "127.0.0.1", "--port", str(port)],
                               cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + path, timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{request.param} did not start (exit {process.poll()})")
        time.sleep(0.1)
    yield port, path, request.param
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def answer_to(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        send_all(sock, request)
        return read_answer(sock, timeout=10)


def test_a_two_mebibyte_header_is_431(service):
    port, path, _ = service
    answer = answer_to(port, b"GET %s HTTP/1.1\r\nHost: x\r\nX-Flood: %s\r\n\r\n" % (path.encode(), b"a" * (2 << 20)))
    assert status_of(answer) == 431, answer[:300]
    assert b"max_header_bytes" in answer


def test_ten_thousand_headers_are_431(service):
    port, path, _ = service
    fields = b"".join(b"X-%d: 1\r\n" % i for i in range(10_000))
    answer = answer_to(port, b"GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (path.encode(), fields))
    assert status_of(answer) == 431, answer[:300]


def test_a_very_long_request_line_is_414(service):
    port, path, _ = service
    answer = answer_to(port, b"GET %s?q=%s HTTP/1.1\r\nHost: x\r\n\r\n" % (path.encode(), b"a" * (1 << 20)))
    assert status_of(answer) == 414, answer[:300]


def test_slowloris_clients_are_closed_and_the_service_still_answers(service):
    port, path, _ = service
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(8)]
    try:
        for sock in socks:
            sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n" % path.encode())
        started = time.monotonic()
        open_ = list(socks)
        while open_ and time.monotonic() - started < 8:
            for sock in list(open_):
                try:
                    sock.sendall(b"X-a: b\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    open_.remove(sock)
            time.sleep(0.2)
        assert not open_, f"{len(open_)} of {len(socks)} slow clients still connected after 8 s"
        assert httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5).status_code == 200
    finally:
        for sock in socks:
            sock.close()


def test_json_nested_a_thousand_deep_is_400_on_every_json_route(service):
    port, _, name = service
    deep = b"[" * 1000 + b"]" * 1000
    for route in JSON_ROUTES[name]:
        for content_type in (b"application/json", b"text/plain"):  # Plausible's tracker sends text/plain
            answer = answer_to(port, b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                               b"Connection: close\r\n\r\n%s" % (route.encode(), content_type, len(deep), deep))
            assert status_of(answer) == 400, (route, answer[:300])
            assert b"limit.max_json_depth" in answer
