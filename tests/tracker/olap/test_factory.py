import subprocess
import sys

import pytest

PROBE = """
import sys
from tracker.olap.factory import make_store
store = make_store("chdb", "chdb://" + sys.argv[1])
print(store.client.query("SELECT value FROM system.server_settings WHERE name = 'memory_worker_period_ms'").result_rows[0][0])
store.close()
"""


@pytest.mark.integration
def test_the_chdb_engine_starts_with_the_stores_options(tmp_path):
    """chDB is one engine a process: a fresh process, so the store's connection starts it."""
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "olap")], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.strip().splitlines()[-1] == "1000"
