"""Schemathesis against a running service's own OpenAPI document: valid and invalid
generated requests alike must never get a 5xx."""

from __future__ import annotations

from collections.abc import Callable

import schemathesis
from hypothesis import HealthCheck, given, settings


def assert_no_server_error(schema, base_url: str, max_examples: int = 300,
                           prepare: Callable[[object], None] | None = None) -> None:
    """Call every operation of ``schema`` (a loaded schemathesis schema) with positive and
    negative cases; ``prepare(case)``, if given, may change a case before it is sent."""
    strategy = schema.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE) | schema.as_strategy(
        generation_mode=schemathesis.GenerationMode.NEGATIVE
    )

    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def check(case):
        if prepare is not None:
            prepare(case)
        response = case.call(base_url=base_url, timeout=10)
        assert response.status_code < 500, \
            f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200} -> {response.status_code}: {response.text[:300]}"

    check()
