"""Keep capability tokens out of the access log: a filter on ``uvicorn.access`` that
masks the token in share-link paths (``/v/…``, ``/e/…``, ``/api/v1/shared/…``) and in
``token``/``key`` query parameters before the line is formatted."""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
PATTERNS = (
    (re.compile(r"(/(?:v|e)/)[^/?#\s]+"), r"\1[token]"),
    (re.compile(r"(/api/v1/shared/)[^/?#\s]+"), r"\1[token]"),
    (re.compile(r"((?:^|[?&])(?:token|key|editKey)=)[^&#\s]*", re.IGNORECASE), r"\1[token]"),
    (re.compile(r"\bt[ev]l_[A-Za-z0-9_-]{20,}|\btek_[A-Za-z0-9_-]{20,}"), "[token]"),
)


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> RedactTokens:
    """Add the filter to the access logger (undo with ``uninstall``)."""
    token_filter = RedactTokens()
    logging.getLogger(ACCESS_LOGGER).addFilter(token_filter)
    return token_filter


def uninstall(token_filter: RedactTokens) -> None:
    logging.getLogger(ACCESS_LOGGER).removeFilter(token_filter)
