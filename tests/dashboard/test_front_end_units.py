"""Pure front-end helpers, run in Node (no browser needed): the page-views data helpers,
the attribute defaults read from a manifest's JSON Schema."""

import json
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from tests.dashboard.conftest import ROOT

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run(script: str):
    result = subprocess.run([NODE, "--input-type=module", "-e", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_page_views_totals_and_window():
    # (its columns and URLs now come from the kit: tests/kit/test_kit_units.py)
    out = run("""
      import { totals, timeWindow } from './widgets/page-views/src/page-views-data.js';
      const points = [{t: '2026-11-22T10:01:00Z', views: 3, visitors: 2}, {t: '2026-11-22T10:00:00Z', views: 5, visitors: 1}];
      console.log(JSON.stringify({sums: totals(points), none: totals(null),
        w: timeWindow(30, Date.parse('2026-11-22T10:30:20.500Z'))}));
    """)
    assert out["sums"] == {"views": 8, "peak": 5}
    assert out["none"] == {"views": 0, "peak": 0}
    assert out["w"] == {"from": "2026-11-22T10:00:00.000Z", "to": "2026-11-22T10:30:20.500Z"}


def test_default_attributes_from_the_manifest_schema_and_safe_names():
    out = run("""
      import { defaultAttributes, isSafeAttribute } from './dashboard/web/src/widget-module.js';
      console.log(JSON.stringify({
        defaults: defaultAttributes({properties: {site: {default: 'demo.local'}, 'range-minutes': {default: 30},
                                                   filters: {default: {a: 1}}, none: {type: 'string'}}}),
        empty: defaultAttributes(undefined),
        safe: ['site', 'range-minutes', 'onclick', 'x y', 'data-api'].map(isSafeAttribute),
      }));
    """)
    assert out["defaults"] == {"site": "demo.local", "range-minutes": "30", "filters": '{"a":1}'}
    assert out["empty"] == {}
    assert out["safe"] == [True, True, False, False, True]


def test_layout_modules_pass_their_node_test_runner_suite():
    """dashboard/web/src/layouts/*.js (document, routes, save state, drafts, API client) and the catalogue feed are
    DOM-free; their tests live in tests/dashboard/web/ and run under `node --test`."""
    suite = ROOT / "tests" / "dashboard" / "web"
    files = sorted(str(path) for path in suite.rglob("*.test.mjs"))
    assert files, "no node tests found"
    result = subprocess.run([NODE, "--test", *files], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


def test_the_page_preloads_the_very_url_the_shell_imports_a_widget_from():
    from dashboard.layout_seed import import_url

    entries = [{"module": "/widgets/w/dist/w.js", "integrity": integrity} for integrity in (
        "sha384-ab+cd/ef==", "sha256-AAA= sha512-B/b+", "sha384-x~y*z_.-", "sha384-ünï")]
    out = run(f"""
      globalThis.location = {{ origin: "http://127.0.0.1:8000" }};
      const {{ moduleUrl }} = await import('./dashboard/web/src/widget-module.js');
      console.log(JSON.stringify({json.dumps(entries)}.map(moduleUrl)));
    """)
    assert out == [import_url(entry) for entry in entries]
