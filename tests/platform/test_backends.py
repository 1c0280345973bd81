"""platform/backends.py: `make up`'s backend options, and the variables they become."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tracker.collector.settings import CollectorSettings
from tracker.writer.settings import WriterSettings


@pytest.fixture(scope="module")
def backends(backends_module):
    return backends_module


def parse(backends, *argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    backends.add_options(parser)
    return parser.parse_args(list(argv))


def test_no_options_is_everything_embedded_under_var(backends, services_module, tmp_path):
    chosen = backends.Backends.of(parse(backends))
    assert chosen == backends.Backends()
    listed = {s.name: s for s in services_module.services(services_module.Ports(9000), tmp_path, 0.0, chosen)}
    var = tmp_path.resolve()
    assert listed["writer"].env == {"TESSERA_WRITER_STREAM_BACKEND": "local", "TESSERA_WRITER_STREAM_DIR": str(var / "stream"),
                                    "TESSERA_WRITER_OLAP_BACKEND": "chdb", "TESSERA_WRITER_OLAP_DSN": f"chdb:///{var / 'olap'}"}
    assert listed["collector"].env["TESSERA_COLLECTOR_STREAM_DIR"] == str(var / "stream")
    assert listed["registry"].env["TESSERA_REGISTRY_DATABASE_URL"] == f"sqlite:///{var / 'registry.db'}"
    assert listed["dashboard"].env["TESSERA_DASHBOARD_DATABASE_URL"] == f"sqlite:///{var / 'dashboard.db'}"
    assert chosen.unreachable() == []


def test_scale_options_reach_every_process_that_reads_them(backends, services_module, tmp_path, monkeypatch):
    args = parse(backends, "--stream", "kafka://k1:9092,k2:9093?idempotence=false&partitions=12",
                 "--olap", "https://user:secret@ch.example:8443", "--registry-db", "postgresql://pg@db:5432/reg",
                 "--dashboard-db", "postgres://pg@db:5432/dash")
    chosen = backends.Backends.of(args)
    listed = {s.name: s for s in services_module.services(services_module.Ports(9000), tmp_path, 0.0, chosen)}
    for name, prefix in (("writer", "TESSERA_WRITER_"), ("collector", "TESSERA_COLLECTOR_")):
        env = listed[name].env
        assert env[f"{prefix}STREAM_BACKEND"] == "kafka" and f"{prefix}STREAM_DIR" not in env
        assert env[f"{prefix}KAFKA_BOOTSTRAP_SERVERS"] == "k1:9092,k2:9093"
        assert env[f"{prefix}STREAM_PARTITIONS"] == "12"
        # the variables are fields the processes really read (the writer had no KAFKA_IDEMPOTENCE once)
        for variable, value in env.items():
            monkeypatch.setenv(variable, value)
    writer, collector = WriterSettings(), CollectorSettings()
    assert (writer.stream_backend, writer.kafka_idempotence, writer.stream_partitions) == ("kafka", False, 12)
    assert (collector.stream_backend, collector.kafka_idempotence, collector.stream_partitions) == ("kafka", False, 12)
    assert (writer.olap_backend, writer.olap_dsn) == ("clickhouse", "https://user:secret@ch.example:8443")
    # psycopg 3 is the installed driver: a plain postgresql:// URL gets it spelled out
    assert listed["registry"].env["TESSERA_REGISTRY_DATABASE_URL"] == "postgresql+psycopg://pg@db:5432/reg"
    assert listed["dashboard"].env["TESSERA_DASHBOARD_DATABASE_URL"] == "postgresql+psycopg://pg@db:5432/dash"
    assert "secret" not in chosen.describe()


@pytest.mark.parametrize("argv, message", [
    (["--stream", "redis://x:1"], "expected local or kafka://"),
    (["--stream", "kafka://nohost"], "is not host:port"),
    (["--stream", "kafka://h:99999"], "is not host:port"),
    (["--stream", "kafka://h:1?idempotence=maybe"], "idempotence must be true or false"),
    (["--stream", "kafka://h:1?partitions=0"], "partitions must be"),
    (["--stream", "kafka://h:1?acks=1"], "unknown option 'acks'"),
    (["--olap", "pinot://broker:8099"], "Pinot ingests the topic itself"),
    (["--olap", "chdb://relative"], "expected chdb:///path"),
    (["--registry-db", "mysql://u@h/db"], "mysql:// is not supported"),
    (["--dashboard-db", "var/dashboard.db"], "expected sqlite:///path or postgresql://"),
])
def test_a_bad_option_is_refused_naming_it(backends, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        parse(backends, *argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {argv[0]}: " in err and message in err


def test_servers_that_do_not_answer_are_named_before_anything_starts(backends):
    from tests.support.servers import free_port

    port = free_port()
    chosen = backends.Backends.of(parse(backends, "--stream", f"kafka://127.0.0.1:{port}",
                                         "--registry-db", f"postgresql://pg@127.0.0.1:{port}/x"))
    assert chosen.unreachable() == [f"--stream: nothing listens on 127.0.0.1:{port}",
                                    f"--registry-db: nothing listens on 127.0.0.1:{port}"]


def test_up_help_lists_the_backend_options():
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "platform" / "up.py"), "--help"], capture_output=True,
                         text=True, check=True).stdout
    for option in ("--stream", "--olap", "--registry-db", "--dashboard-db", "--base-port", "--no-traffic"):
        assert option in out
