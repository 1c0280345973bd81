"""``python -m tracker pinot-config``: print the Pinot schema and REALTIME table config (JSON)."""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    from tracker.event import EVENTS_TOPIC
    from tracker.olap import pinot_config

    parser = argparse.ArgumentParser(prog="python -m tracker pinot-config", description=__doc__)
    parser.add_argument("--table", default="tessera_events")
    parser.add_argument("--topic", default=EVENTS_TOPIC)
    parser.add_argument("--brokers", default="127.0.0.1:9092", help="Kafka bootstrap servers Pinot consumes from")
    parser.add_argument("--retention-days", type=int, default=0)
    parser.add_argument("--only", choices=["schema", "table"], help="print just one document")
    args = parser.parse_args(argv)
    docs = {
        "schema": pinot_config.schema(args.table),
        "table": pinot_config.realtime_table(args.table, args.topic, args.brokers, args.retention_days),
    }
    out = docs[args.only] if args.only else docs
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
