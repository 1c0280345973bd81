"""The suite-wide conftest: under CI=true a skip for a missing tool fails the run."""

import shutil
import subprocess
import sys
from pathlib import Path

PROBE = '''
import pytest

def test_postgres():
    pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")

@pytest.mark.skipif(True, reason="node is not installed")
def test_node():
    pass

@pytest.fixture
def browser():
    pytest.importorskip("playwright_missing_here.sync_api")

def test_chromium(browser):
    pass

def test_other_skips_stay_skips():
    pytest.skip("nothing to do on this platform")
'''


def run_probe(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_probe.py").write_text(PROBE)
    env = {"PATH": "/usr/bin:/bin", **({"CI": ci} if ci is not None else {})}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def test_missing_tools_fail_the_run_under_ci(tmp_path):
    result = run_probe(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    for name in ("test_postgres", "test_node", "test_chromium"):
        assert f"test_probe.py::{name} - CI=true and a dependency is missing" in result.stdout, result.stdout
    assert "SKIPPED" in result.stdout and "nothing to do on this platform" in result.stdout


def test_outside_ci_they_are_skips(tmp_path):
    result = run_probe(tmp_path, None)
    assert result.returncode == 0, result.stdout
    assert "4 skipped" in result.stdout
