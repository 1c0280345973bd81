"""Rendered catalogue listings, cached until the catalogue changes (or ``max_age`` passes,
so heartbeat times in a cached listing are at most that old)."""

from __future__ import annotations

import time
from collections.abc import Callable

import orjson

from .catalogue import Filters
from .service import Registry
from .views import lab_entry, public_json


class Listing:
    def __init__(self, registry: Registry, *, max_age: float = 1.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.registry = registry
        self.max_age = max_age
        self.monotonic = monotonic
        self._cache: dict[tuple, tuple[int, float, bytes]] = {}

    def widgets(self, filters: Filters) -> bytes:
        """``{"items": [WidgetPublic…]}`` as JSON bytes."""
        catalogue, grace = self.registry.catalogue, self.registry.grace

        def render(now, widgets) -> bytes:
            items = b",".join(public_json(catalogue.static_json(w), w, now, grace) for w in widgets)
            return b'{"items":[' + items + b"]}"

        return self._cached(("widgets", filters), render, filters)

    def lab(self) -> bytes:
        """The lab's ``GET /api/v1/registry`` shape: a JSON array of entries."""
        filters = Filters()
        return self._cached(("lab",), lambda now, ws: orjson.dumps([lab_entry(w) for w in ws]), filters)

    def _cached(self, key: tuple, render: Callable, filters: Filters) -> bytes:
        generation = self.registry.catalogue.generation
        now_mono = self.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] == generation and now_mono - hit[1] < self.max_age:
            return hit[2]
        now = self.registry.clock()
        body = render(now, self.registry.select(filters))
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[key] = (generation, now_mono, body)
        return body
