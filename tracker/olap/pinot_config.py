"""Apache Pinot schema and REALTIME table config for the events topic, derived from
``TrackingEvent``'s ``Column`` markers (the same source as the ClickHouse DDL).

Pinot has no materialized views: it consumes the topic itself into a realtime table
and the query adapter aggregates it at query time. Exactly-once effect comes from
Pinot's dedup on ``event_id`` (the topic key is site + visitor, so one event id
always lands in one partition, as dedup requires).
"""

from __future__ import annotations

from tracker.event import EVENTS_TOPIC
from tracker.olap.schema import event_columns

TIME_COLUMN = "ts"


def pinot_type(clickhouse: str) -> str:
    t = clickhouse
    if t.startswith("LowCardinality("):
        t = t[len("LowCardinality("):-1]
    if t.startswith("DateTime64"):
        return "TIMESTAMP"
    if t == "Bool":
        return "BOOLEAN"
    if t.startswith("Map("):
        return "JSON"
    if t in ("String", "UUID") or t.startswith("FixedString"):
        return "STRING"
    raise TypeError(f"no Pinot type for ClickHouse type {clickhouse!r}")


def schema(table: str = "tessera_events") -> dict:
    dimensions, times = [], []
    for c in event_columns():
        kind = pinot_type(c.type)
        if kind == "TIMESTAMP":
            times.append({"name": c.name, "dataType": "TIMESTAMP", "format": "1:MILLISECONDS:TIMESTAMP",
                          "granularity": "1:MILLISECONDS"})
        else:
            dimensions.append({"name": c.name, "dataType": kind})
    return {"schemaName": table, "enableColumnBasedNullHandling": False, "primaryKeyColumns": ["event_id"],
            "dimensionFieldSpecs": dimensions, "dateTimeFieldSpecs": times, "metricFieldSpecs": []}


def realtime_table(table: str = "tessera_events", topic: str = EVENTS_TOPIC, brokers: str = "127.0.0.1:9092",
                   retention_days: int = 0, flush_rows: int = 0, flush_time: str = "1h",
                   flush_size: str = "200M") -> dict:
    stream = {
        "streamType": "kafka",
        "stream.kafka.topic.name": topic,
        "stream.kafka.broker.list": brokers,
        "stream.kafka.consumer.type": "lowlevel",
        "stream.kafka.consumer.factory.class.name": "org.apache.pinot.plugin.stream.kafka20.KafkaConsumerFactory",
        "stream.kafka.decoder.class.name": "org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder",
        "stream.kafka.consumer.prop.auto.offset.reset": "smallest",
        "stream.kafka.consumer.prop.isolation.level": "read_committed",
        "realtime.segment.flush.threshold.rows": str(flush_rows),
        "realtime.segment.flush.threshold.time": flush_time,
        "realtime.segment.flush.threshold.segment.size": flush_size,
    }
    segments = {"timeColumnName": TIME_COLUMN, "replication": "1", "replicasPerPartition": "1",
                "schemaName": table}
    if retention_days > 0:
        segments.update({"retentionTimeUnit": "DAYS", "retentionTimeValue": str(retention_days)})
    return {
        "tableName": table,
        "tableType": "REALTIME",
        "segmentsConfig": segments,
        "tenants": {"broker": "DefaultTenant", "server": "DefaultTenant"},
        "tableIndexConfig": {
            "loadMode": "MMAP",
            "invertedIndexColumns": ["site", "name", "referrer_host"],
            "rangeIndexColumns": [TIME_COLUMN],
            "noDictionaryColumns": ["url", "user_agent", "props"],
            "sortedColumn": ["site"],
        },
        "routing": {"instanceSelectorType": "strictReplicaGroup"},
        "dedupConfig": {"dedupEnabled": True, "hashFunction": "NONE"},
        "ingestionConfig": {
            "streamIngestionConfig": {"streamConfigMaps": [stream]},
            "continueOnError": True,
        },
        "metadata": {"customConfigs": {"source": "tracker.event.TrackingEvent"}},
    }
