import json
import subprocess
import sys

from tracker.event import TrackingEvent
from tracker.olap import pinot_config


def test_schema_is_derived_from_the_event_model():
    s = pinot_config.schema()
    names = [f["name"] for f in s["dimensionFieldSpecs"]] + [f["name"] for f in s["dateTimeFieldSpecs"]]
    assert sorted(names) == sorted(TrackingEvent.__struct_fields__)
    types = {f["name"]: f["dataType"] for f in s["dimensionFieldSpecs"]}
    assert types["is_bot"] == "BOOLEAN" and types["props"] == "JSON" and types["visitor"] == "STRING"
    assert {f["name"] for f in s["dateTimeFieldSpecs"]} == {"ts", "received_at"}
    assert s["primaryKeyColumns"] == ["event_id"]


def test_realtime_table_consumes_the_topic_with_dedup():
    t = pinot_config.realtime_table(brokers="kafka:9092", retention_days=30)
    assert t["tableType"] == "REALTIME"
    assert t["segmentsConfig"]["timeColumnName"] == "ts"
    assert t["segmentsConfig"]["retentionTimeValue"] == "30"
    stream = t["ingestionConfig"]["streamIngestionConfig"]["streamConfigMaps"][0]
    assert stream["stream.kafka.topic.name"] == "tessera.events"
    assert stream["stream.kafka.broker.list"] == "kafka:9092"
    assert {"realtime.segment.flush.threshold.rows", "realtime.segment.flush.threshold.time",
            "realtime.segment.flush.threshold.segment.size"} <= stream.keys()
    assert t["dedupConfig"]["dedupEnabled"] is True
    assert t["routing"]["instanceSelectorType"] == "strictReplicaGroup"


def test_command_prints_both_documents():
    out = subprocess.run([sys.executable, "-m", "tracker", "pinot-config", "--brokers", "k:9092"],
                         capture_output=True, text=True, check=True).stdout
    docs = json.loads(out)
    assert docs["schema"]["schemaName"] == docs["table"]["tableName"] == "tessera_events"
