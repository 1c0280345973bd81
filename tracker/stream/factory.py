"""Pick a stream adapter by name from settings: ``memory``, ``local`` or ``kafka``.

Settings are duck-typed (the collector's and the writer's settings both work):
``stream_backend``, ``stream_dir``, ``stream_partitions``, ``stream_retention_hours``,
``kafka_bootstrap_servers``, ``kafka_idempotence``, ``kafka_session_timeout_ms``,
``stream_timeout_ms``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.stream.memory import MemoryLog
from tracker.stream.port import Consumer, Producer

BACKENDS = ("memory", "local", "kafka")


def _get(settings: Any, name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _backend(settings: Any) -> str:
    backend = _get(settings, "stream_backend", "local")
    if backend not in BACKENDS:
        raise ValueError(f"unknown stream backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return backend


def make_producer(settings: Any, memory: MemoryLog | None = None) -> Producer:
    backend = _backend(settings)
    partitions = int(_get(settings, "stream_partitions", 4))
    if backend == "memory":
        return (memory or MemoryLog(partitions)).producer()
    if backend == "local":
        from tracker.stream.local import LocalProducer

        hours = float(_get(settings, "stream_retention_hours", 168))
        return LocalProducer(Path(_get(settings, "stream_dir", "var/stream")), partitions,
                             retention_ms=int(hours * 3_600_000))
    from tracker.stream.kafka import KafkaProducer

    return KafkaProducer(_get(settings, "kafka_bootstrap_servers", "127.0.0.1:9092"),
                         [EVENTS_TOPIC, DEAD_LETTER_TOPIC], partitions,
                         idempotence=bool(_get(settings, "kafka_idempotence", True)),
                         timeout_ms=int(_get(settings, "stream_timeout_ms", 5000)))


def make_consumer(settings: Any, group: str, topics: list[str], memory: MemoryLog | None = None) -> Consumer:
    backend = _backend(settings)
    partitions = int(_get(settings, "stream_partitions", 4))
    if backend == "memory":
        return (memory or MemoryLog(partitions)).consumer(group, topics)
    if backend == "local":
        from tracker.stream.local import LocalConsumer

        return LocalConsumer(Path(_get(settings, "stream_dir", "var/stream")), group, topics, partitions)
    from tracker.stream.kafka import KafkaConsumer

    return KafkaConsumer(_get(settings, "kafka_bootstrap_servers", "127.0.0.1:9092"), group, topics, partitions,
                         session_timeout_ms=int(_get(settings, "kafka_session_timeout_ms", 10_000)))
