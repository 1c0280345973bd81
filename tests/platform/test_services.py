"""platform/services.py: what `make up` runs, and the team tokens it provisions itself."""

from __future__ import annotations

import pytest

from registry.bootstrap import open_stores
from registry.domain.token import hash_token
from registry.settings import RegistrySettings


@pytest.mark.integration
def test_make_up_provisions_its_sidecars_tokens_under_var(services_module, tmp_path):
    var = tmp_path / "var"
    services_module.provision_tokens(var)
    path = var / "tokens" / "web-analytics.token"
    secret = path.read_text().strip()
    assert secret.startswith("tsr_") and (path.stat().st_mode & 0o777) == 0o600
    _widgets, store, engine = open_stores(RegistrySettings(database_url=f"sqlite:///{var / 'registry.db'}"))
    try:
        token = store.find(hash_token(secret))
        assert token is not None and token.active and token.team == "web-analytics"
    finally:
        engine.dispose()
    services_module.provision_tokens(var)
    assert path.read_text().strip() == secret  # kept across runs


def test_sidecars_get_the_token_file_and_the_registry_keeps_its_secure_default(services_module, tmp_path):
    listed = services_module.services(services_module.Ports(9000), tmp_path, 0.0)
    registry = next(s for s in listed if s.name == "registry")
    assert "TESSERA_REGISTRY_REQUIRE_TOKENS" not in registry.env  # tokens are required by default
    sidecar = next(s for s in listed if s.name == "sidecar:page-views")
    assert sidecar.env["TESSERA_SIDECAR_TOKEN_FILE"] == str((tmp_path / "tokens" / "web-analytics.token").resolve())
    assert not any("tsr_" in part for s in listed for part in s.argv)  # no secret on a command line
