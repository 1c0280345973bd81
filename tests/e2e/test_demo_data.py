"""`make up`'s demo traffic gives every breakdown and KPI something to show within a minute,
through the real launcher, collector, writer and query service."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from tests.e2e.conftest import launch

pytestmark = pytest.mark.e2e
DIMENSIONS = ["page", "referrer", "browser", "os", "device", "utm_source", "utm_medium", "utm_campaign"]


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def test_every_breakdown_and_the_kpis_have_data_within_a_minute(tmp_path):
    launched = launch(tmp_path / "var", "--rate", "5")
    try:
        launched.wait_for_line("Tessera is up", timeout=180)
        up = time.monotonic()
        query = launched.url(3, "/api/v1/metrics")
        missing = set(DIMENSIONS)
        while missing and time.monotonic() - up < 60:
            time.sleep(3)
            for dim in sorted(missing):
                rows = get(f"{query}/breakdown?site=demo.local&dimension={dim}")["rows"]
                if len([r for r in rows if r["value"]]) >= (2 if dim != "utm_medium" else 1):
                    missing.discard(dim)
        assert not missing, f"no variety within a minute for {sorted(missing)}:\n{launched.log()}"
        while time.monotonic() - up < 75:
            kpis = get(f"{query}/summary?site=demo.local")["current"]
            if kpis["views"] > 50 and kpis["views_per_visit"] and kpis["views_per_visit"] > 1 \
                    and kpis["bounce_rate"] and kpis["engaged_median_s"] is not None:
                break
            time.sleep(3)
        assert kpis["views"] > 50 and kpis["visitors"] > 10 and 0 < kpis["bounce_rate"] < 1
        assert kpis["views_per_visit"] > 1 and kpis["engaged_median_s"] >= 1
        filtered = get(f"{query}/breakdown?site=demo.local&dimension=referrer&page=/")
        assert filtered["filters"] == {"page": "/"} and filtered["rows"]
    finally:
        launched.stop()
