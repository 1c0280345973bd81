"""Capabilities (valet keys): an edit key per layout and share links, view or edit,
pinned to a version or following the latest, expiring and revocable.

Tokens carry 256 random bits and are stored only as their SHA-256: a key this random
needs no slow hash, and a leaked table grants nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

EDIT_KEY_PREFIX = "tek_"
LINK_PREFIX = {"view": "tvl_", "edit": "tel_"}
ROLES = ("view", "edit")
LINK_PATH = {"view": "/v/", "edit": "/e/"}


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def new_id(nbytes: int = 9) -> str:
    """A short public id (layouts, links): 72 random bits, URL-safe."""
    return secrets.token_urlsafe(nbytes)


@dataclass(frozen=True, slots=True)
class Link:
    id: str
    layout_id: str
    token_hash: str
    role: str
    version: int | None  # None: follows the latest version
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    view_state: dict | None = None

    def state(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    @property
    def live(self) -> bool:
        """A live view link: its viewers follow the presenter's selections (recorded by the server)."""
        return self.role == "view" and isinstance(self.view_state, dict) and self.view_state.get("live") is True

    def revoked(self, now: datetime) -> Link:
        return replace(self, revoked_at=now)

    def describe(self, now: datetime) -> dict:
        return {
            "id": self.id,
            "role": self.role,
            "version": "latest" if self.version is None else self.version,
            "createdAt": self.created_at,
            "expiresAt": self.expires_at,
            "revokedAt": self.revoked_at,
            "state": self.state(now),
            "hasViewState": bool(self.view_state),
            "live": self.live,
        }
