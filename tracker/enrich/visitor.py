"""The cookieless visitor id: a keyed hash of (site, IP, user agent) under the day's salt."""

from __future__ import annotations

from hashlib import blake2b

from tracker.enrich.salts import SaltStore


class VisitorHasher:
    """Never keeps the IP: only the 16-hex-char digest leaves this object."""

    def __init__(self, salts: SaltStore) -> None:
        self.salts = salts

    def visitor(self, site: str, ip: str, user_agent: str, now: float) -> str:
        data = f"{site}\0{ip}\0{user_agent}".encode("utf-8", "surrogatepass")
        return blake2b(data, key=self.salts.salt(now), digest_size=8).hexdigest()
