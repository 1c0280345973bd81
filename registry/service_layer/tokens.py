"""Team tokens: issue, list, revoke (CLI) and authenticate (each request).

Verified tokens are cached for ``cache_seconds`` so the heartbeat path does not read
the store; a revocation therefore takes effect within that time.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from registry.adapters.repository import TokenStore
from registry.domain.manifest_schema import SLUG
from registry.domain.problems import Problem, Unauthenticated
from registry.domain.token import TeamToken, hash_token, issue_token

_TEAM = re.compile(SLUG)


def create_token(store: TokenStore, team: str, now: datetime) -> tuple[TeamToken, str]:
    if not _TEAM.fullmatch(team):
        raise ValueError(f"team must match {SLUG}")
    token, secret = issue_token(team, now)
    store.add(token)
    return token, secret


def ensure_token(store: TokenStore, team: str, path: Path, now: datetime) -> bool:
    """Make ``path`` hold an active token of ``team``: keep the one there if the store
    knows it, else issue a new one and write it (mode 0600, replaced atomically).
    True when a new token was issued. How ``make up`` provisions its own sidecars."""
    if path.exists():
        secret = path.read_text(encoding="utf-8").strip()
        token = store.find(hash_token(secret)) if secret else None
        if token is not None and token.active and token.team == team:
            return False
    _token, secret = create_token(store, team, now)
    path.parent.mkdir(parents=True, exist_ok=True)
    spare = path.with_name(path.name + ".new")
    descriptor = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(secret + "\n")
    os.replace(spare, path)
    return True


class Authenticator:
    def __init__(self, store: TokenStore, *, cache_seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self.monotonic = monotonic
        self._cache: dict[str, tuple[str, float]] = {}  # hash -> (team, verified at)

    async def team_for(self, authorization: str | None) -> str:
        """The team of a ``Bearer`` token; raises Unauthenticated."""
        if not authorization:
            raise Unauthenticated(Problem(("header", "authorization"), "a team token is required (Authorization: Bearer …)", "unauthenticated"))
        scheme, _, secret = authorization.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise Unauthenticated(Problem(("header", "authorization"), "use the Bearer scheme with a team token", "unauthenticated"))
        digest = hash_token(secret)
        cached = self._cache.get(digest)
        now = self.monotonic()
        if cached is not None and now - cached[1] < self.cache_seconds:
            return cached[0]
        token = await asyncio.to_thread(self.store.find, digest)
        if token is None or not token.active:
            self._cache.pop(digest, None)
            raise Unauthenticated(Problem(("header", "authorization"), "unknown or revoked team token", "unauthenticated"))
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (token.team, now)
        return token.team
