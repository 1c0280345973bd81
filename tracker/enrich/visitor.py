"""The cookieless visitor id: a keyed hash of (site, IP, user agent) under the day's salt."""

from __future__ import annotations

from hashlib import blake2b

from tracker.enrich.salts import SaltStore


class VisitorHasher:
    """Never keeps the IP: only the 16-hex-char digest leaves this object.

    The keyed BLAKE2b state is prepared once per day and copied per hit, which saves
    the key block's compression on the hot path.
    """

    def __init__(self, salts: SaltStore) -> None:
        self.salts = salts
        self._day = -1
        self._keyed = blake2b(digest_size=8)

    def visitor(self, site: str, ip: str, user_agent: str, now: float) -> str:
        day = int(now // 86400)
        if day != self._day:
            self._keyed = blake2b(key=self.salts.salt(now), digest_size=8)
            self._day = day
        h = self._keyed.copy()
        h.update(f"{site}\0{ip}\0{user_agent}".encode("utf-8", "surrogatepass"))
        return h.hexdigest()
