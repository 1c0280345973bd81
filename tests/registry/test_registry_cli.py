"""registry/entrypoints/cli.py: ``python -m registry tokens …`` and ``serve``."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from registry.entrypoints.cli import main


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("TESSERA_REGISTRY_DATABASE_URL", f"sqlite:///{tmp_path}/var/registry.db")
    return tmp_path


@pytest.mark.integration
def test_tokens_create_list_revoke(db, capsys):
    assert main(["tokens", "create", "--team", "web-analytics"]) == 0
    out = capsys.readouterr().out
    token_id = out.split("id:")[1].split()[0]
    secret = out.split("token:")[1].split()[0]
    assert secret.startswith("tsr_")
    assert main(["tokens", "list"]) == 0
    listing = capsys.readouterr().out
    assert token_id in listing and "web-analytics" in listing and secret not in listing
    assert main(["tokens", "revoke", token_id]) == 0
    assert main(["tokens", "revoke", token_id]) == 1
    assert main(["tokens", "create", "--team", "Not A Slug"]) == 2


@pytest.mark.integration
def test_tokens_ensure_keeps_a_known_token_and_replaces_an_unknown_one(db, capsys):
    path = db / "var" / "tokens" / "web-analytics.token"
    assert main(["tokens", "ensure", "--team", "web-analytics", "--file", str(path)]) == 0
    first = path.read_text().strip()
    assert first.startswith("tsr_") and (path.stat().st_mode & 0o777) == 0o600
    assert "issued" in capsys.readouterr().out
    assert main(["tokens", "ensure", "--team", "web-analytics", "--file", str(path)]) == 0
    assert path.read_text().strip() == first and "kept" in capsys.readouterr().out
    token_id = [line.split()[0] for line in _listing(capsys) if "web-analytics" in line][0]
    assert main(["tokens", "revoke", token_id]) == 0
    assert main(["tokens", "ensure", "--team", "web-analytics", "--file", str(path)]) == 0
    assert path.read_text().strip() != first  # a revoked token is replaced
    path.write_text("tsr_forged\n")
    assert main(["tokens", "ensure", "--team", "web-analytics", "--file", str(path)]) == 0
    assert path.read_text().strip() != "tsr_forged"


def _listing(capsys) -> list[str]:
    capsys.readouterr()
    assert main(["tokens", "list"]) == 0
    return capsys.readouterr().out.splitlines()[1:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.integration
def test_python_m_registry_serves_with_tokens_enforced(tmp_path):
    port = free_port()
    env = {**os.environ, "TESSERA_REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path}/r.db", "TESSERA_REGISTRY_REQUIRE_TOKENS": "true"}
    created = subprocess.run([sys.executable, "-m", "registry", "tokens", "create", "--team", "t1"], env=env, capture_output=True, text=True, check=True)
    secret = created.stdout.split("token:")[1].split()[0]
    proc = subprocess.Popen([sys.executable, "-m", "registry", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        doc = {"version": "1.0.0", "team": "t1", "label": "W", "element": "t1-widget", "module": "http://127.0.0.1:8100/w.js"}
        assert httpx.put(f"{base}/api/v1/widgets/w", json=doc).status_code == 401
        r = httpx.put(f"{base}/api/v1/widgets/w", json=doc, headers={"Authorization": f"Bearer {secret}", "X-Tessera-Origin": "http://127.0.0.1:8100"})
        assert r.status_code == 201, r.text
    finally:
        proc.terminate()
        assert proc.wait(10) in (0, -15)  # uvicorn re-raises SIGTERM after a graceful shutdown
