"""The batching policy: when to flush, and how long a poll may wait. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    max_rows: int = 50_000
    max_age_ms: int = 100
    idle_poll_ms: int = 200

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.max_age_ms < 0 or self.idle_poll_ms < 1:
            raise ValueError("batch policy needs max_rows >= 1, max_age_ms >= 0, idle_poll_ms >= 1")

    def should_flush(self, rows: int, age_ms: float) -> bool:
        """Flush a non-empty batch once it is full or its oldest record is old enough."""
        return rows > 0 and (rows >= self.max_rows or age_ms >= self.max_age_ms)

    def poll_timeout_ms(self, rows: int, age_ms: float) -> int:
        """How long the next poll may block: until the batch is due, or the idle wait."""
        if rows == 0:
            return self.idle_poll_ms
        return max(0, int(self.max_age_ms - age_ms))

    def poll_size(self, rows: int) -> int:
        """Ask for no more records than fit in the current batch."""
        return max(1, self.max_rows - rows)
