"""Start the real `make up` launcher on free ports for a test, and stop it cleanly."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OFFSETS = (0, 1, 2, 3, 100, 200)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_base_port(rng: random.Random | None = None) -> int:
    rng = rng or random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 40000)
        if all(_free(base + offset) for offset in OFFSETS):
            return base
    raise RuntimeError("no free port range found")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Launched:
    process: subprocess.Popen
    base: int
    output: list[str] = field(default_factory=list)

    def url(self, offset: int, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.base + offset}{path}"

    @property
    def dashboard(self) -> str:
        return self.url(0)

    @property
    def collector(self) -> str:
        return self.url(2)

    @property
    def demo(self) -> str:
        return self.url(200)

    def log(self) -> str:
        return "\n".join(self.output[-200:])

    def wait_for_line(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.output):
                return
            if self.process.poll() is not None:
                raise AssertionError(f"launcher exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.2)
        raise AssertionError(f"no line {text!r} within {timeout} s:\n{self.log()}")

    def stop(self, timeout: float = 40.0) -> tuple[int, set[int]]:
        """Ctrl-C the launcher; returns its exit code and the processes it left alive."""
        before = descendants(self.process.pid)
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(pid) for pid in before):
            time.sleep(0.1)
        return code, {pid for pid in before if alive(pid)}


def launch(var: Path, *extra: str) -> Launched:
    base = free_base_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "platform" / "up.py"), "--base-port", str(base), "--var", str(var), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    launched = Launched(process, base)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            launched.output.append(line.rstrip())

    threading.Thread(target=pump, daemon=True).start()
    return launched


@pytest.fixture
def tessera(tmp_path):
    """Every Tessera process, started by the real launcher with no synthetic traffic."""
    launched = launch(tmp_path / "var", "--no-traffic")
    try:
        launched.wait_for_line("Tessera is up", timeout=180)
        yield launched
    finally:
        if launched.process.poll() is None:
            launched.stop()


@pytest.fixture(scope="module")
def chromium():
    """Module-scoped: sync Playwright keeps an event loop running in this thread, which
    the asyncio tests of later modules must not see."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
