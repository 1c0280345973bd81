"""Child processes for the local log's crash and consumer-group tests."""

import asyncio
import json
import sys
import time
from pathlib import Path

from tracker.stream.local import LocalConsumer, LocalProducer


async def produce(directory: str, topic: str) -> None:
    """Append batches of 100 forever; print each batch number once it is acknowledged."""
    producer = LocalProducer(Path(directory), partitions=4)
    await producer.start()
    batch = 0
    while True:
        records = [(f"k{i % 13}".encode(), f"{batch}:{i}".encode() + b"x" * 200) for i in range(100)]
        await producer.send_batch(topic, records)
        print(batch, flush=True)
        batch += 1


async def consume(directory: str, topic: str, group: str, seconds: float) -> None:
    """Poll for a while; print the assignment (as JSON) every 100 ms."""
    consumer = LocalConsumer(Path(directory), group, [topic], partitions=4, rebalance_interval_ms=100)
    await consumer.start()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            got = await consumer.poll(100, 50)
            if got:
                await consumer.commit({tp: rs[-1].offset + 1 for tp, rs in got.items()})
            print(json.dumps(sorted(tp.partition for tp in consumer.assignment)), flush=True)
    finally:
        await consumer.stop()


if __name__ == "__main__":
    if sys.argv[1] == "produce":
        asyncio.run(produce(sys.argv[2], sys.argv[3]))
    else:
        asyncio.run(consume(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])))
