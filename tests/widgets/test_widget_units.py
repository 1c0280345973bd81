"""The built-in widgets' pure modules under node's own test runner: tests/widgets/units.test.mjs."""

import shutil
import subprocess

import pytest

from tests.dashboard.conftest import ROOT

NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_widget_units_pass_under_node_test():
    result = subprocess.run([NODE, "--test", "tests/widgets/units.test.mjs"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
