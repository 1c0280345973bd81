"""The ``kafka`` stream adapter: aiokafka against Kafka, Redpanda or any Kafka-protocol broker."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.structs import OffsetAndMetadata
from aiokafka.structs import TopicPartition as KafkaTopicPartition

from tracker.stream.port import Consumer, Producer, Record, StreamUnavailable, TopicPartition

log = logging.getLogger(__name__)
TOPIC_ALREADY_EXISTS = 36


async def ensure_topics(bootstrap: str, topics: list[str], partitions: int, timeout_ms: int = 5000) -> None:
    """Create the topics with ``partitions`` partitions; existing ones are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics if t not in existing]
        if missing:
            response = await admin.create_topics(missing)
            for topic_error in getattr(response, "topic_errors", []):
                name, code = topic_error[0], topic_error[1]
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise StreamUnavailable(f"cannot create topic {name}: error {code}")
    except TopicAlreadyExistsError:
        pass
    except KafkaError as exc:
        raise StreamUnavailable(f"cannot provision topics: {exc}") from exc
    finally:
        await admin.close()


class KafkaProducer(Producer):
    def __init__(self, bootstrap: str, topics: list[str], partitions: int = 4, idempotence: bool = True,
                 timeout_ms: int = 5000) -> None:
        self.bootstrap, self.topics, self.partitions = bootstrap, list(topics), partitions
        self.idempotence, self.timeout_ms = idempotence, timeout_ms
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Provision the topics (again: a restarted broker may have lost them) and connect once;
        aiokafka reconnects by itself after that."""
        await ensure_topics(self.bootstrap, self.topics, self.partitions, self.timeout_ms)
        if self._producer is not None:
            return
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=self.idempotence,
            linger_ms=2, request_timeout_ms=self.timeout_ms, max_batch_size=1 << 20)
        try:
            await producer.start()
        except KafkaError as exc:
            await producer.stop()
            hint = (" (idempotence is on: a broker without idempotent producers, such as tansu, needs "
                    "TESSERA_<SERVICE>_KAFKA_IDEMPOTENCE=false)") if self.idempotence else ""
            raise StreamUnavailable(f"kafka producer cannot start: {exc}{hint}") from exc
        self._producer = producer

    async def send_batch(self, topic: str, records: list[tuple[bytes, bytes]]) -> None:
        if self._producer is None:
            await self.start()
        assert self._producer is not None
        try:
            futures = [await self._producer.send(topic, value=v, key=k) for k, v in records]
            await asyncio.gather(*futures)
        except KafkaError as exc:
            raise StreamUnavailable(f"kafka send failed: {exc}") from exc

    async def stop(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                await asyncio.wait_for(producer.stop(), self.timeout_ms / 1000)
            except (KafkaError, TimeoutError) as exc:
                log.warning("kafka producer did not stop cleanly: %s", exc)


class KafkaConsumer(Consumer):
    def __init__(self, bootstrap: str, group: str, topics: list[str], partitions: int = 4,
                 session_timeout_ms: int = 10_000) -> None:
        self.bootstrap, self.group, self.topics, self.partitions = bootstrap, group, list(topics), partitions
        self.session_timeout_ms = session_timeout_ms
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        await ensure_topics(self.bootstrap, self.topics, self.partitions)
        consumer = AIOKafkaConsumer(
            *self.topics, bootstrap_servers=self.bootstrap, group_id=self.group,
            enable_auto_commit=False, auto_offset_reset="earliest",
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=max(100, self.session_timeout_ms // 4),
            rebalance_timeout_ms=max(1000, self.session_timeout_ms))
        try:
            await consumer.start()
        except KafkaError as exc:
            await consumer.stop()
            raise StreamUnavailable(f"kafka consumer cannot start: {exc}") from exc
        self._consumer = consumer

    @property
    def assignment(self) -> set[TopicPartition]:
        assert self._consumer is not None
        return {TopicPartition(tp.topic, tp.partition) for tp in self._consumer.assignment()}

    async def poll(self, max_records: int, timeout_ms: int) -> dict[TopicPartition, list[Record]]:
        assert self._consumer is not None
        try:
            got = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
        except KafkaError as exc:
            raise StreamUnavailable(f"kafka poll failed: {exc}") from exc
        return {
            TopicPartition(tp.topic, tp.partition): [
                Record(m.topic, m.partition, m.offset, m.key or b"", m.value or b"", m.timestamp)
                for m in messages]
            for tp, messages in got.items() if messages}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        assert self._consumer is not None
        self._consumer.seek(KafkaTopicPartition(tp.topic, tp.partition), offset)

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        assert self._consumer is not None
        try:
            await self._consumer.commit({
                KafkaTopicPartition(tp.topic, tp.partition): OffsetAndMetadata(offset, "")
                for tp, offset in offsets.items()})
        except KafkaError as exc:
            raise StreamUnavailable(f"kafka commit failed: {exc}") from exc

    async def stop(self) -> None:
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            await consumer.stop()
