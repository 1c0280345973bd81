"""The launcher's own small servers: the widget host and the demo site."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def start():
    processes = []

    def run(script: str, *args: str) -> str:
        port = free_port()
        process = subprocess.Popen([sys.executable, str(ROOT / "platform" / script), "--port", str(port), *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                    assert answer.read() == b'{"status":"ok"}'
                    return base
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"{script} did not answer /healthz")

    yield run
    for process in processes:
        process.terminate()
        assert process.wait(timeout=5) == 0


def test_widget_host_serves_modules_as_javascript(start, tmp_path):
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "w.js").write_text("export {};\n")
    base = start("static_host.py", "--directory", str(tmp_path))
    with urllib.request.urlopen(base + "/w/w.js") as answer:
        assert answer.headers["Content-Type"] == "text/javascript"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "/w/none.js")
    assert missing.value.code == 404


def test_demo_pages_carry_the_pixel_for_their_own_url(start):
    base = start("demo_site.py", "--collector", "http://collector.test:9", "--site", "shop.test")
    page = urllib.request.urlopen(base + "/pricing.html").read().decode()
    assert '<img src="http://collector.test:9/t.gif?site=shop.test&amp;url=' in page
    assert "pricing.html" in page.split("t.gif", 1)[1]
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "/nope.html")
    assert missing.value.code == 404


@pytest.mark.parametrize("script", ["static_host.py", "demo_site.py"])
def test_a_slow_client_is_cut_off_and_does_not_starve_the_others(start, tmp_path, script):
    """Slowloris: connections that never finish their request head are closed after the
    read timeout, and while they hang the server still answers everyone else."""
    args = ("--directory", str(tmp_path)) if script == "static_host.py" else ()
    base = start(script, "--timeout", "1", *args)
    port = int(base.rsplit(":", 1)[1])
    slow, opened = [], time.monotonic()
    for _ in range(50):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never the blank line
        slow.append(sock)
    with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
        assert answer.status == 200
    assert time.monotonic() - opened < 2  # a listen backlog of 5 left a burst waiting for SYN retransmits
    started = time.monotonic()
    for sock in slow:
        sock.settimeout(5)  # a server that never closes raises TimeoutError here
        while sock.recv(1024):  # it may answer 408 before it closes
            pass
        sock.close()
    assert time.monotonic() - started < 4


def test_the_small_servers_time_out_slow_clients_by_default():
    sys.path.insert(0, str(ROOT / "platform"))
    from quiet_http import QuietLog

    assert 0 < QuietLog.timeout <= 30
