"""Real-process fixtures for the sidecar's integration tests: a static widget host
(``python -m http.server``), the registry (``python -m registry``) and the sidecar,
each on a free port with its own tmp dir and log file."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from sidecar.scaffold import scaffold

REPO = Path(__file__).resolve().parents[2]
STANDIN = Path(__file__).with_name("standin_registry.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], object], timeout: float, what: str, interval: float = 0.1) -> object:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (httpx.HTTPError, OSError, ValueError) as exc:
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_error})")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TESSERA_SIDECAR_", "TESSERA_REGISTRY_"))
           and k not in ("ID", "BODY", "HOSTPORT", "FREQUENCY_IN_SECONDS")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class Process:
    """One child process with its output in a log file."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.argv, self.log, self.env = name, argv, log, env or clean_env()
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=REPO)
        return self

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def signal(self, signum: int) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signum)

    def wait(self, timeout: float = 10.0) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class WidgetHost:
    """``python -m http.server`` over a tmp dir holding one scaffolded widget."""

    def __init__(self, root: Path, name: str, ttl: int) -> None:
        self.root, self.name, self.port = root, name, free_port()
        folder = scaffold(name, root, team="qa")
        path = folder / "manifest.json"
        document = json.loads(path.read_text())
        document["ttl"] = ttl
        path.write_text(json.dumps(document))
        self.manifest = path
        self.process: Process | None = None

    @property
    def widget_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.name}/"

    def start(self) -> WidgetHost:
        argv = [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", str(self.root)]
        self.process = Process("host", argv, self.root.parent / f"host-{self.port}.log").start()
        wait_until(lambda: httpx.get(self.widget_url + f"{self.name}.js").status_code == 200, 10, "widget host")
        return self

    def stop(self) -> None:
        if self.process:
            self.process.stop()


class Registry:
    """The real ``python -m registry`` (or the stand-in when TESSERA_TEST_STANDIN_REGISTRY=1)."""

    def __init__(self, tmp: Path, **settings: str) -> None:
        self.tmp, self.port, self.generation = tmp, free_port(), 0
        self.settings = {f"TESSERA_REGISTRY_{key.upper()}": value for key, value in settings.items()}
        self.process: Process | None = None

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.tmp / f'r{self.generation}.db'}"

    def issue_token(self, team: str) -> str:
        """``python -m registry tokens create``: the real CLI, against this registry's database."""
        env = clean_env(TESSERA_REGISTRY_DATABASE_URL=self.database_url)
        out = subprocess.run([sys.executable, "-m", "registry", "tokens", "create", "--team", team],
                             env=env, cwd=REPO, capture_output=True, text=True, check=True).stdout
        return next(line.split()[-1] for line in out.splitlines() if line.startswith("token:"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, fresh_database: bool = False) -> Registry:
        if fresh_database:
            self.generation += 1
        if os.environ.get("TESSERA_TEST_STANDIN_REGISTRY") == "1":
            argv = [sys.executable, str(STANDIN), "--port", str(self.port)]
        else:
            argv = [sys.executable, "-m", "registry", "--host", "127.0.0.1", "--port", str(self.port)]
        env = clean_env(TESSERA_REGISTRY_DATABASE_URL=self.database_url, TESSERA_REGISTRY_SWEEP_INTERVAL_SECONDS="0.5",
                        TESSERA_REGISTRY_ALLOWED_NETWORKS="127.0.0.0/8", **self.settings)
        self.process = Process("registry", argv, self.tmp / "registry.log", env).start()
        wait_until(self.healthy, 20, f"registry on {self.url}\n{self.process.output[-2000:]}")
        return self

    def healthy(self) -> bool:
        if self.process and self.process.proc and self.process.proc.poll() is not None:
            raise AssertionError(f"registry exited:\n{self.process.output[-3000:]}")
        return httpx.get(self.url + "/healthz", timeout=1).status_code == 200

    def kill(self) -> None:
        if self.process:
            self.process.signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def widgets(self, **params: str) -> dict[str, dict]:
        response = httpx.get(self.url + "/api/v1/widgets", params=params, timeout=2)
        response.raise_for_status()
        return {item["id"]: item for item in response.json()["items"]}


class Sidecar(Process):
    def has_logged(self, text: str) -> bool:
        if self.proc and self.proc.poll() is not None and text not in self.output:
            raise AssertionError(f"sidecar exited {self.proc.returncode}:\n{self.output}")
        return text in self.output


FAST = ["--interval", "0.5", "--health-interval", "0.3", "--request-timeout", "1"]


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """The real registry in open mode (tokens are tested with ``registry_factory()``)."""
    service = Registry(tmp_path, require_tokens="false")
    yield service.start()
    service.stop()


@pytest.fixture
def registry_factory(tmp_path: Path) -> Iterator[Callable[..., Registry]]:
    """A registry with its defaults (tokens required) plus ``settings``; call ``.start()`` yourself."""
    made: list[Registry] = []

    def make(**settings: str) -> Registry:
        root = tmp_path / f"registry-{len(made)}"
        root.mkdir()
        made.append(Registry(root, **settings))
        return made[-1]

    yield make
    for service in made:
        service.stop()


@pytest.fixture
def host_factory(tmp_path: Path) -> Iterator[Callable[..., WidgetHost]]:
    hosts: list[WidgetHost] = []

    def make(name: str = "hello", ttl: int = 2) -> WidgetHost:
        root = tmp_path / f"site-{name}"
        root.mkdir()
        hosts.append(WidgetHost(root, name, ttl).start())
        return hosts[-1]

    yield make
    for host in hosts:
        host.stop()


@pytest.fixture
def sidecar_factory(tmp_path: Path) -> Iterator[Callable[..., Sidecar]]:
    sidecars: list[Sidecar] = []

    def make(*args: str, env: dict[str, str] | None = None) -> Sidecar:
        argv = [sys.executable, "-m", "sidecar", *args]
        log = tmp_path / f"sidecar-{len(sidecars)}.log"
        sidecars.append(Sidecar("sidecar", argv, log, clean_env(**(env or {}))).start())
        return sidecars[-1]

    yield make
    for sidecar in sidecars:
        sidecar.stop()


@pytest.fixture
def eventually() -> Callable[..., object]:
    """``eventually(check, timeout, what)``: poll until ``check()`` is truthy."""
    return wait_until


@pytest.fixture
def unused_port() -> int:
    return free_port()
