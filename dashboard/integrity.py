"""Subresource-integrity checks: does a body match an ``sha256|384|512-<base64>`` value?"""

from __future__ import annotations

import base64
import hashlib

ALGORITHMS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def digest(body: bytes, algorithm: str = "sha384") -> str:
    return f"{algorithm}-{base64.b64encode(ALGORITHMS[algorithm](body).digest()).decode()}"


def matches(body: bytes, integrity: str) -> bool:
    """True if any of the space-separated hashes in ``integrity`` matches ``body``."""
    for token in integrity.split():
        algorithm, _, _ = token.partition("-")
        if algorithm in ALGORITHMS and digest(body, algorithm) == token.split("?")[0]:
            return True
    return False
