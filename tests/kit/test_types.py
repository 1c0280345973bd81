"""The kit's .d.ts files type-check a TypeScript widget (tsc --strict), and catch its mistakes."""

from __future__ import annotations

import subprocess

import pytest

from tests.dashboard.conftest import ROOT

TSC = ROOT / "node_modules" / ".bin" / "tsc"


@pytest.mark.skipif(not TSC.exists(), reason="typescript is not installed (npm ci)")
def test_a_typescript_widget_type_checks_against_the_kit():
    result = subprocess.run([str(TSC), "-p", "tests/kit/typed/tsconfig.json"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not TSC.exists(), reason="typescript is not installed (npm ci)")
def test_every_public_module_has_a_declaration_file():
    kit = ROOT / "dashboard" / "web" / "kit" / "v1"
    internal = {"define.js", "series.js", "sparkline.js"}
    missing = [p.name for p in kit.glob("*.js") if p.name not in internal and not p.with_name(p.stem + ".d.ts").exists()]
    assert missing == []
