"""The cluster manifests stay in step with the code: every TESSERA_… variable they set
is a real settings field, and every command they run exists."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from dashboard.settings import DashboardSettings
from registry.settings import RegistrySettings
from sidecar.settings import SidecarSettings
from tracker.__main__ import COMMANDS as TRACKER_COMMANDS
from tracker.collector.settings import CollectorSettings
from tracker.query.settings import QuerySettings
from tracker.writer.settings import WriterSettings

KUBERNETES = Path(__file__).resolve().parents[2] / "platform" / "deploy" / "kubernetes"
SETTINGS = {
    "TESSERA_DASHBOARD_": DashboardSettings, "TESSERA_REGISTRY_": RegistrySettings,
    "TESSERA_SIDECAR_": SidecarSettings, "TESSERA_COLLECTOR_": CollectorSettings,
    "TESSERA_WRITER_": WriterSettings, "TESSERA_QUERY_": QuerySettings,
}


def documents() -> list[dict]:
    return [doc for path in sorted(KUBERNETES.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def containers() -> list[dict]:
    found = []
    for doc in documents():
        spec = doc.get("spec", {}).get("template", {}).get("spec", {})
        found.extend(spec.get("containers", []))
    return found


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    files = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


@pytest.mark.parametrize("container", containers(), ids=lambda c: c["name"])
def test_environment_names_real_settings(container):
    for variable in container.get("env", []):
        name = variable["name"]
        prefix = next((p for p in SETTINGS if name.startswith(p)), None)
        assert prefix, f"{name}: no settings class reads this prefix"
        field = name.removeprefix(prefix).lower()
        assert field in SETTINGS[prefix].model_fields, f"{name}: {SETTINGS[prefix].__name__} has no field {field!r}"


@pytest.mark.parametrize("container", containers(), ids=lambda c: c["name"])
def test_commands_exist(container):
    command = container["command"]
    assert command[0] == "python"
    if command[1] == "-m":
        assert importlib.util.find_spec(command[2]) is not None, command
        if command[2] == "tracker":
            assert command[3] in TRACKER_COMMANDS
    else:
        assert (KUBERNETES.parents[2] / command[1]).is_file(), command


def test_every_service_has_a_readiness_probe_or_is_a_sidecar():
    for container in containers():
        assert "readinessProbe" in container or container["name"] == "sidecar", container["name"]


def test_collector_and_writer_agree_on_the_stream():
    """Whichever starts first creates the topics: both must ask for the same partitions."""
    env = {}
    for container in containers():
        for item in container.get("env", []):
            for prefix in ("TESSERA_COLLECTOR_", "TESSERA_WRITER_"):
                if item["name"].startswith(prefix + "STREAM_") and "value" in item:
                    env.setdefault(item["name"].removeprefix(prefix), {})[prefix] = item["value"]
    assert env["STREAM_PARTITIONS"] == {"TESSERA_COLLECTOR_": "12", "TESSERA_WRITER_": "12"}
    for name, values in env.items():
        assert len(set(values.values())) == 1, f"{name} differs: {values}"
