"""Team tokens: a random secret shown once; only its SHA-256 is kept."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

PREFIX = "tsr_"


@dataclass(frozen=True, slots=True)
class TeamToken:
    id: str
    team: str
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(team: str, now: datetime) -> tuple[TeamToken, str]:
    """A new token record and the plaintext secret (returned once, never stored)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    return TeamToken(id=secrets.token_hex(6), team=team, token_hash=hash_token(secret), created_at=now), secret
