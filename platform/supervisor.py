"""Runs a set of processes as one: ordered, health-checked start; one coloured log
stream; restarts with backoff; ordered stop on Ctrl-C with no orphans.

Plain script module (``platform/`` is not an importable package: it would shadow
the standard library's ``platform``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

COLOURS = ["36", "35", "33", "32", "34", "96", "95", "93", "92", "94"]
PR_SET_PDEATHSIG = 1


@dataclass
class Service:
    """One process to run: what to start, how to know it is ready."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    ready: Callable[[], bool] | None = None


def http_ok(url: str, timeout: float = 1.0) -> Callable[[], bool]:
    """A readiness probe: the URL answers 2xx."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError, ValueError):
            return False

    return probe


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the launcher dies, even by kill -9 (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class Running:
    """A started service: its process, its log pump and its recent output."""

    def __init__(self, service: Service, colour: str, width: int, out) -> None:
        self.service = service
        self.prefix = self._prefix(service.name, colour, width, out)
        self.tail: deque[str] = deque(maxlen=40)
        self.restarts: deque[float] = deque(maxlen=5)
        self.out = out
        self.process: subprocess.Popen | None = None

    @staticmethod
    def _prefix(name: str, colour: str, width: int, out) -> str:
        label = f"{name:>{width}} |"
        if out.isatty() and not os.environ.get("NO_COLOR"):
            return f"\033[{colour}m{label}\033[0m "
        return label + " "

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.service.env}
        self.process = subprocess.Popen(
            self.service.argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        threading.Thread(target=self._pump, args=(self.process,), daemon=True).start()

    def _pump(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            line = raw.decode(errors="replace").rstrip()
            self.tail.append(line)
            self.out.write(f"{self.prefix}{line}\n")
            self.out.flush()

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                pass


class StartFailed(Exception):
    pass


class Supervisor:
    """Starts services in order, watches them, stops them in reverse order."""

    def __init__(self, services: list[Service], out=sys.stdout, ready_timeout: float = 90.0) -> None:
        width = max([len(s.name) for s in services] + [len("tessera")])
        self.width = width
        self.running = [Running(s, COLOURS[i % len(COLOURS)], width, out) for i, s in enumerate(services)]
        self.out = out
        self.ready_timeout = ready_timeout
        self.stopping = threading.Event()

    def say(self, message: str) -> None:
        self.out.write(f"{'tessera':>{self.width}} | {message}\n")
        self.out.flush()

    def taken_ports(self) -> list[Service]:
        return [r.service for r in self.running if r.service.port and port_in_use(r.service.port)]

    def start_all(self) -> None:
        for running in self.running:
            if self.stopping.is_set():
                return
            running.start()
            self._wait_ready(running)

    def _wait_ready(self, running: Running) -> None:
        probe = running.service.ready
        if probe is None:
            return
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline and not self.stopping.is_set():
            if running.exit_code is not None:
                raise StartFailed(f"{running.service.name} exited with code {running.exit_code} before it was ready")
            if probe():
                self.say(f"{running.service.name} is ready")
                return
            time.sleep(0.2)
        if not self.stopping.is_set():
            raise StartFailed(f"{running.service.name} was not ready within {self.ready_timeout:.0f} s")

    def watch(self) -> bool:
        """Until told to stop: restart a service that died, with backoff.

        Returns False when a service crash-loops (and everything must stop), True on a requested stop.
        """
        while not self.stopping.wait(0.5):
            for running in self.running:
                code = running.exit_code
                if code is None or self.stopping.is_set():
                    continue
                now = time.monotonic()
                recent = [t for t in running.restarts if now - t < 60]
                if len(recent) >= 5:
                    self.say(f"{running.service.name} keeps crashing (exit {code}); stopping everything")
                    self.stopping.set()
                    return False
                delay = min(0.5 * 2 ** len(recent), 8.0)
                self.say(f"{running.service.name} exited with code {code}; restarting in {delay:.1f} s")
                running.restarts.append(now)
                time.sleep(delay)
                if not self.stopping.is_set():
                    running.start()
        return True

    def stop_all(self, grace: float = 10.0) -> None:
        """SIGTERM in reverse start order (sidecars deregister before the registry goes), then SIGKILL."""
        self.stopping.set()
        for running in reversed(self.running):
            running.signal(signal.SIGTERM)
            self._wait_exit(running, min(grace, 5.0))
        deadline = time.monotonic() + grace
        for running in self.running:
            self._wait_exit(running, max(0.0, deadline - time.monotonic()))
            if running.exit_code is None:
                self.say(f"{running.service.name} did not stop in time; killing it")
                running.signal(signal.SIGKILL)
                self._wait_exit(running, 2.0)

    @staticmethod
    def _wait_exit(running: Running, timeout: float) -> None:
        if running.process is None:
            return
        try:
            running.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass

    def last_lines(self, name: str) -> list[str]:
        return next((list(r.tail) for r in self.running if r.service.name == name), [])
