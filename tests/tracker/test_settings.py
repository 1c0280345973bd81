"""tracker/settings.py: stream and OLAP settings declared once, read under each service's own names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tracker.collector.settings import CollectorSettings
from tracker.query.settings import QuerySettings
from tracker.settings import OlapSettings, StreamSettings
from tracker.writer.settings import WriterSettings

# The variables README documents for the stream and OLAP, per service: their names do not change.
STREAM = {"STREAM_BACKEND": ("kafka", "stream_backend", "kafka"),
          "STREAM_PARTITIONS": ("7", "stream_partitions", 7),
          "STREAM_TIMEOUT_MS": ("1500", "stream_timeout_ms", 1500),
          "KAFKA_BOOTSTRAP_SERVERS": ("broker:9093", "kafka_bootstrap_servers", "broker:9093"),
          "KAFKA_IDEMPOTENCE": ("false", "kafka_idempotence", False)}
OLAP = {"OLAP_BACKEND": ("clickhouse", "olap_backend", "clickhouse"),
        "OLAP_DSN": ("http://ch:8123", "olap_dsn", "http://ch:8123"),
        "OLAP_DATABASE": ("analytics", "olap_database", "analytics")}


@pytest.mark.parametrize("prefix, settings_class, variables", [
    ("TESSERA_COLLECTOR_", CollectorSettings, STREAM),
    ("TESSERA_WRITER_", WriterSettings, {**STREAM, **OLAP}),  # the writer once had no KAFKA_IDEMPOTENCE
    ("TESSERA_QUERY_", QuerySettings, OLAP),
])
def test_each_service_reads_the_shared_fields_under_its_own_prefix(monkeypatch, prefix, settings_class, variables):
    for name, (value, _field, _parsed) in variables.items():
        monkeypatch.setenv(prefix + name, value)
    monkeypatch.setenv("TESSERA_OTHER_KAFKA_IDEMPOTENCE", "true")  # another service's variable is not ours
    settings = settings_class()
    for _name, (_value, field, parsed) in variables.items():
        assert getattr(settings, field) == parsed, field


def test_the_shared_fields_are_declared_once_and_the_collector_keeps_its_own_timeout():
    assert set(StreamSettings.model_fields) <= set(CollectorSettings.model_fields) & set(WriterSettings.model_fields)
    assert set(OlapSettings.model_fields) <= set(WriterSettings.model_fields) & set(QuerySettings.model_fields)
    assert CollectorSettings().stream_timeout_ms == 2000  # an append slower than this spills
    assert WriterSettings().stream_timeout_ms == 5000
    assert WriterSettings().kafka_idempotence is CollectorSettings().kafka_idempotence is True


def test_a_chdb_dsn_is_absolute_and_the_default_lives_under_var():
    assert WriterSettings(olap_dsn="chdb:////tmp/x").olap_dsn == "chdb:///tmp/x"
    assert QuerySettings().olap_dsn.startswith("chdb:///") and QuerySettings().olap_dsn.endswith("/var/olap")


@pytest.mark.parametrize("settings_class, field, value", [
    (WriterSettings, "kafka_bootstrap_servers", "no-port"),
    (CollectorSettings, "kafka_bootstrap_servers", ""),
    (CollectorSettings, "stream_partitions", 0),
    (WriterSettings, "stream_backend", "redis"),
    (QuerySettings, "olap_database", "x; DROP"),
    (QuerySettings, "pinot_table", "a-b"),
    (WriterSettings, "olap_backend", "duckdb"),
])
def test_a_bad_value_is_refused_naming_the_field(settings_class, field, value):
    with pytest.raises(ValidationError) as error:
        settings_class(**{field: value})
    assert field in str(error.value)
