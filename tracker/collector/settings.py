"""The collector's settings: one class, environment prefix ``TESSERA_COLLECTOR_``.

The stream fields (``stream_*``, ``kafka_*``) come from ``tracker.settings.StreamSettings``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from tracker.settings import StreamSettings


class CollectorSettings(StreamSettings):
    model_config = SettingsConfigDict(env_prefix="TESSERA_COLLECTOR_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8002
    # an append slower than this counts as the stream being down (the hit is spilled to disk)
    stream_timeout_ms: int = Field(default=2000, ge=1)
    spill_dir: Path = Path("var/spill")
    replay_interval_ms: int = 500
    salts_dir: Path = Path("var/salts")
    dnt_policy: Literal["drop", "anonymise"] = "drop"
    max_batch_bytes: int = 4 * 1024 * 1024
    max_batch_events: int = 10_000
    flush_interval_ms: int = 5  # the group-commit window
    flush_max_events: int = 5_000
    cors_origins: str = "*"
    # Query parameters a page URL keeps besides the UTM fields and ``ref`` (comma-separated);
    # every other parameter, and the fragment, is cut before the hit is stored.
    allowed_query_params: str = ""
    max_json_depth: int = 32  # Plausible, Snowplow and batch bodies nested deeper are a 400
    # Client event ids (Snowplow eid, a batch event's event_id/id) remembered so a retry is
    # stored once: how long, and how many at most (in memory and in spill_dir/seen-ids.sqlite)
    seen_ids_hours: float = 24.0
    seen_ids_max: int = 1_000_000
    trust_forwarded_for: bool = False
    ua_cache_size: int = 4096
    # Young-generation GC threshold while serving (Python's default is 700; 0 keeps it). A 1,000-event
    # batch allocates a few thousand tracked objects, which would trigger several collections each.
    gc_threshold: int = 20_000
