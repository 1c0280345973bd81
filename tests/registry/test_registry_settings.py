"""registry/settings.py (named apart from tests/sidecar/test_settings.py)."""

from registry.settings import RegistrySettings


def test_defaults(monkeypatch):
    for key in ("HOST", "PORT", "DATABASE_URL", "REQUIRE_TOKENS", "ALLOWED_ORIGINS"):
        monkeypatch.delenv(f"TESSERA_REGISTRY_{key}", raising=False)
    s = RegistrySettings()
    assert (s.host, s.port, s.database_url, s.require_tokens) == ("127.0.0.1", 8001, "sqlite:///var/registry.db", True)
    assert s.max_manifest_bytes == 65536 and s.allowed_origins == []
    assert s.reservation_seconds == 7 * 24 * 3600 and s.platform_teams == ["web-analytics"] and s.max_json_depth == 40


def test_environment(monkeypatch):
    monkeypatch.setenv("TESSERA_REGISTRY_REQUIRE_TOKENS", "false")
    monkeypatch.setenv("TESSERA_REGISTRY_PLATFORM_TEAMS", "web-analytics, platform")
    monkeypatch.setenv("TESSERA_REGISTRY_ALLOWED_ORIGINS", "http://a.test, https://cdn.test")
    monkeypatch.setenv("TESSERA_REGISTRY_PORT", "9001")
    s = RegistrySettings()
    assert not s.require_tokens and s.port == 9001 and s.platform_teams == ["web-analytics", "platform"]
    assert s.allowed_origins == ["http://a.test", "https://cdn.test"]
