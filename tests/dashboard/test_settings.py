import os

import pytest

from dashboard.settings import DashboardSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in os.environ:
        if name.startswith("TESSERA_DASHBOARD_"):
            monkeypatch.delenv(name)


def test_defaults_match_the_contracts():
    settings = DashboardSettings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.registry_url == "http://127.0.0.1:8001"
    assert settings.query_url == "http://127.0.0.1:8003"
    assert settings.database_url == "sqlite:///var/dashboard.db"


def test_environment_uses_the_dashboard_prefix(monkeypatch):
    monkeypatch.setenv("TESSERA_DASHBOARD_REGISTRY_URL", "http://registry:9001")
    monkeypatch.setenv("TESSERA_DASHBOARD_READ_TIMEOUT", "1.5")
    monkeypatch.setenv("TESSERA_REGISTRY_PORT", "1234")  # another service's setting is ignored
    settings = DashboardSettings()
    assert settings.registry_url == "http://registry:9001"
    assert settings.read_timeout == 1.5
    assert settings.port == 8000
