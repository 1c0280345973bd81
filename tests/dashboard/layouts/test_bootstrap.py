"""The layouts service is wired from the dashboard's settings (env prefix TESSERA_DASHBOARD_)."""

from __future__ import annotations

from datetime import timedelta

from dashboard.layouts.bootstrap import open_layouts
from dashboard.layouts.store import InMemoryLayoutStore
from dashboard.settings import DashboardSettings


def test_layout_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TESSERA_DASHBOARD_DATABASE_URL", "memory://")
    monkeypatch.setenv("TESSERA_DASHBOARD_LAYOUT_RETENTION_VERSIONS", "50")
    monkeypatch.setenv("TESSERA_DASHBOARD_LAYOUT_DELETE_GRACE_DAYS", "2")
    monkeypatch.setenv("TESSERA_DASHBOARD_LAYOUT_MAX_BYTES", "65536")
    service, stores = open_layouts(DashboardSettings())
    assert isinstance(stores.layouts, InMemoryLayoutStore)
    assert service.retention == 50 and service.delete_grace == timedelta(days=2) and service.max_bytes == 65536


def test_by_default_every_version_is_kept_and_sqlite_is_the_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = DashboardSettings()
    assert settings.database_url == "sqlite:///var/dashboard.db" and settings.layout_retention_versions == 0
    service, stores = open_layouts(settings)
    try:
        assert service.retention is None and (tmp_path / "var" / "dashboard.db").exists()
    finally:
        stores.close()
