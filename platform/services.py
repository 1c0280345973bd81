"""What `make up` runs: every Tessera process on one machine, in start order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from backends import Backends
from supervisor import Service, http_ok

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Ports:
    """Default ports from a base: dashboard +0, registry +1, collector +2, query +3, widgets +100, demo +200."""

    base: int = 8000

    @property
    def dashboard(self) -> int:
        return self.base

    @property
    def registry(self) -> int:
        return self.base + 1

    @property
    def collector(self) -> int:
        return self.base + 2

    @property
    def query(self) -> int:
        return self.base + 3

    @property
    def widgets(self) -> int:
        return self.base + 100

    @property
    def demo(self) -> int:
        return self.base + 200


def url(port: int, path: str = "") -> str:
    return f"http://{HOST}:{port}{path}"


def widget_manifests(widgets_dir: Path) -> list[Path]:
    return sorted(p for p in widgets_dir.glob("*/manifest.json") if not p.parent.name.startswith(("_", ".")))


def token_file(var: Path, team: str) -> Path:
    """Where `make up` keeps the team token its own sidecars for ``team`` read."""
    return var.resolve() / "tokens" / f"{team}.token"


def provision_tokens(var: Path, backends: Backends = Backends()) -> None:
    """Before the registry starts: make sure each built-in widget's team has an active
    token under var/tokens/ (kept across runs; `python -m registry tokens ensure`)."""
    env = {**os.environ, "TESSERA_REGISTRY_DATABASE_URL": backends.registry_url(var.resolve())}
    for team in sorted({json.loads(m.read_text())["team"] for m in widget_manifests(ROOT / "widgets")}):
        subprocess.run([sys.executable, "-m", "registry", "tokens", "ensure", "--team", team, "--file", str(token_file(var, team))],
                       env=env, check=True, stdout=subprocess.DEVNULL)


def widget_origins(ports: Ports, variable: str) -> str:
    """Its own loopback widget host, allow-listed, plus any origins the operator set."""
    return ",".join(filter(None, [url(ports.widgets), os.environ.get(variable, "")]))


def services(ports: Ports, var: Path, traffic_rate: float, backends: Backends = Backends()) -> list[Service]:
    py = sys.executable
    var = var.resolve()
    registry_url = url(ports.registry)
    listed = []
    listed.append(Service(
        "registry", [py, "-m", "registry", "--host", HOST, "--port", str(ports.registry)],
        env={"TESSERA_REGISTRY_DATABASE_URL": backends.registry_url(var),
             "TESSERA_REGISTRY_ALLOWED_ORIGINS": widget_origins(ports, "TESSERA_REGISTRY_ALLOWED_ORIGINS")},
        port=ports.registry, ready=http_ok(url(ports.registry, "/healthz")),
    ))
    listed.append(Service(
        "writer", [py, "-m", "tracker", "writer", "--host", HOST, "--port", str(ports.query)],
        env={**backends.stream_env("TESSERA_WRITER_", var), **backends.olap_env("TESSERA_WRITER_", var)},
        port=ports.query, ready=http_ok(url(ports.query, "/healthz")),
    ))
    listed.append(Service(
        "collector", [py, "-m", "tracker", "collector", "--host", HOST, "--port", str(ports.collector)],
        env={
            **backends.stream_env("TESSERA_COLLECTOR_", var),
            "TESSERA_COLLECTOR_SPILL_DIR": str(var / "spill"),
            "TESSERA_COLLECTOR_SALTS_DIR": str(var / "salts"),
        },
        port=ports.collector, ready=http_ok(url(ports.collector, "/healthz")),
    ))
    listed.append(Service(
        "widgets", [py, str(ROOT / "platform" / "static_host.py"), "--host", HOST, "--port", str(ports.widgets),
                    "--directory", str(ROOT / "widgets")],
        port=ports.widgets, ready=http_ok(url(ports.widgets, "/healthz")),
    ))
    listed.append(Service(
        "dashboard", [py, "-m", "dashboard", "--host", HOST, "--port", str(ports.dashboard)],
        env={
            "TESSERA_DASHBOARD_REGISTRY_URL": registry_url,
            "TESSERA_DASHBOARD_QUERY_URL": url(ports.query),
            "TESSERA_DASHBOARD_DATABASE_URL": backends.dashboard_url(var),
            "TESSERA_DASHBOARD_WIDGET_ORIGINS": widget_origins(ports, "TESSERA_DASHBOARD_WIDGET_ORIGINS"),
        },
        port=ports.dashboard, ready=http_ok(url(ports.dashboard, "/healthz")),
    ))
    for manifest in widget_manifests(ROOT / "widgets"):
        document = json.loads(manifest.read_text())
        widget_id = document["id"]
        listed.append(Service(
            f"sidecar:{manifest.parent.name}",
            [py, "-m", "sidecar", "--manifest", str(manifest),
             "--widget-url", url(ports.widgets, f"/{manifest.parent.name}/"), "--registry-url", registry_url],
            env={"TESSERA_SIDECAR_TOKEN_FILE": str(token_file(var, document["team"]))},
            ready=http_ok(url(ports.registry, f"/api/v1/widgets/{widget_id}")),
        ))
    listed.append(Service(
        "demo-site", [py, str(ROOT / "platform" / "demo_site.py"), "--host", HOST, "--port", str(ports.demo),
                      "--collector", url(ports.collector)],
        port=ports.demo, ready=http_ok(url(ports.demo, "/healthz")),
    ))
    if traffic_rate > 0:
        listed.append(Service(
            "traffic", [py, str(ROOT / "platform" / "traffic.py"), "--site", url(ports.demo), "--rate", str(traffic_rate)],
        ))
    return listed
