import pytest
from pydantic import ValidationError

from sidecar.settings import SidecarSettings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("ID", "BODY", "HOSTPORT", "FREQUENCY_IN_SECONDS"):
        monkeypatch.delenv(name, raising=False)


def test_defaults():
    s = SidecarSettings()
    assert s.effective_registry_url == "http://127.0.0.1:8001"
    assert s.heartbeat_interval == 3.0
    assert s.token is None and not s.lab_mode


def test_env_prefix(monkeypatch):
    monkeypatch.setenv("TESSERA_SIDECAR_REGISTRY_URL", "http://r:1")
    monkeypatch.setenv("TESSERA_SIDECAR_TOKEN", "s3cret")
    monkeypatch.setenv("TESSERA_SIDECAR_INTERVAL", "1.5")
    s = SidecarSettings()
    assert s.effective_registry_url == "http://r:1"
    assert s.token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(s)
    assert s.interval == 1.5


def test_token_file(tmp_path):
    path = tmp_path / "web-analytics.token"
    path.write_text("tsr_secret\n")
    assert SidecarSettings(token_file=path).team_token() == "tsr_secret"
    assert SidecarSettings(token="direct", token_file=path).team_token() == "direct"
    assert SidecarSettings().team_token() is None
    with pytest.raises(OSError):
        SidecarSettings(token_file=tmp_path / "missing").team_token()


def test_flags_override_env(monkeypatch):
    monkeypatch.setenv("TESSERA_SIDECAR_INTERVAL", "1.5")
    assert SidecarSettings(interval=7).interval == 7


def test_lab_variables(monkeypatch):
    monkeypatch.setenv("ID", "lab")
    monkeypatch.setenv("BODY", "{}")
    monkeypatch.setenv("HOSTPORT", "localhost:9000")
    monkeypatch.setenv("FREQUENCY_IN_SECONDS", "5")
    s = SidecarSettings()
    assert s.lab_mode
    assert s.effective_registry_url == "http://localhost:9000"
    assert s.heartbeat_interval == 5


def test_manifest_beats_lab_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("ID", "lab")
    monkeypatch.setenv("BODY", "{}")
    assert not SidecarSettings(manifest=tmp_path / "m.json").lab_mode


def test_explicit_registry_url_beats_hostport(monkeypatch):
    monkeypatch.setenv("HOSTPORT", "localhost:9000")
    assert SidecarSettings(registry_url="http://r:2").effective_registry_url == "http://r:2"


@pytest.mark.parametrize("kwargs", [{"interval": 0}, {"jitter": 1.0}, {"health_interval": -1}])
def test_rejects_bad_values(kwargs):
    with pytest.raises(ValidationError):
        SidecarSettings(**kwargs)
