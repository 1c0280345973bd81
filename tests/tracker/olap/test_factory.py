import subprocess
import sys

import pytest

PROBE = """
import sys
from tracker.olap.factory import make_store
store = make_store("chdb", "chdb://" + sys.argv[1])
print(store.client.query("SELECT value FROM system.server_settings WHERE name = 'memory_worker_period_ms'").result_rows[0][0])
jit = "SELECT getSetting('compile_expressions'), getSetting('compile_aggregate_expressions')"
print([store.client.query(jit).result_rows[0]] + [c.query(jit).result_rows[0] for c in store.reads.clients])
store.close()
"""


@pytest.mark.integration
def test_the_chdb_engine_starts_with_the_stores_options(tmp_path):
    """chDB is one engine a process: a fresh process, so the store's connection starts it; its read
    connections carry the store's read settings."""
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "olap")], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    period, jit = out.strip().splitlines()[-2:]
    assert period == "1000"
    # the read connections compile nothing (READ_SETTINGS); the write client keeps the engine's default
    assert jit == str([(True, True)] + [(False, False)] * 4), jit
