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


def test_widget_allow_lists_and_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TESSERA_DASHBOARD_WIDGET_ORIGINS", "http://127.0.0.1:8100, https://*.widgets.example")
    monkeypatch.setenv("TESSERA_DASHBOARD_WIDGET_NETWORKS", "10.0.0.0/8")
    settings = DashboardSettings()
    assert settings.widget_origins == ["http://127.0.0.1:8100", "https://*.widgets.example"]
    assert settings.widget_networks == ["10.0.0.0/8"]
    assert (settings.widget_host_concurrency, settings.widget_timeout_seconds) == (8, 10.0)


@pytest.mark.parametrize(("name", "value"), [("widget_origins", ["http://x.example/a"]), ("widget_networks", ["nope"])])
def test_bad_allow_list_entries_are_refused_at_start(name, value):
    with pytest.raises(ValueError):
        DashboardSettings(**{name: value})
