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
