"""Pick a stream adapter by name from settings: ``memory``, ``local`` or ``kafka``.

Both take a ``tracker.settings.StreamSettings`` (the collector's and the writer's settings
are one), so a field read here is a field every process has, with one default.
"""

from __future__ import annotations

from tracker.event import DEAD_LETTER_TOPIC, EVENTS_TOPIC
from tracker.settings import StreamSettings
from tracker.stream.memory import MemoryLog
from tracker.stream.port import Consumer, Producer

BACKENDS = ("memory", "local", "kafka")


def _backend(settings: StreamSettings) -> str:
    if settings.stream_backend not in BACKENDS:  # a model_copy(update=...) skips validation
        raise ValueError(f"unknown stream backend {settings.stream_backend!r}; choose one of {', '.join(BACKENDS)}")
    return settings.stream_backend


def make_producer(settings: StreamSettings, memory: MemoryLog | None = None) -> Producer:
    backend = _backend(settings)
    if backend == "memory":
        return (memory or MemoryLog(settings.stream_partitions)).producer()
    if backend == "local":
        from tracker.stream.local import LocalProducer

        return LocalProducer(settings.stream_dir, settings.stream_partitions,
                             retention_ms=int(settings.stream_retention_hours * 3_600_000))
    from tracker.stream.kafka import KafkaProducer

    return KafkaProducer(settings.kafka_bootstrap_servers, [EVENTS_TOPIC, DEAD_LETTER_TOPIC],
                         settings.stream_partitions, idempotence=settings.kafka_idempotence,
                         timeout_ms=settings.stream_timeout_ms)


def make_consumer(settings: StreamSettings, group: str, topics: list[str], memory: MemoryLog | None = None) -> Consumer:
    backend = _backend(settings)
    if backend == "memory":
        return (memory or MemoryLog(settings.stream_partitions)).consumer(group, topics)
    if backend == "local":
        from tracker.stream.local import LocalConsumer

        return LocalConsumer(settings.stream_dir, group, topics, settings.stream_partitions)
    from tracker.stream.kafka import KafkaConsumer

    return KafkaConsumer(settings.kafka_bootstrap_servers, group, topics, settings.stream_partitions,
                         session_timeout_ms=settings.kafka_session_timeout_ms)
