"""The cookieless visitor id: a keyed hash of (site, IP, user agent) under the day's salt."""

from __future__ import annotations

from binascii import hexlify
from hashlib import blake2b

from tracker.enrich.salts import SaltStore


class VisitorHasher:
    """Never keeps the IP: only the 16-hex-char digest leaves this object.

    The keyed BLAKE2b state is prepared once per day and copied per hit, which saves
    the key block's compression on the hot path.
    """

    def __init__(self, salts: SaltStore) -> None:
        self.salts = salts
        self._since = self._until = 0.0  # the UTC day the keyed state belongs to
        self._keyed = blake2b(digest_size=8)

    def _rekey(self, now: float) -> None:
        day = now // 86400
        self._keyed = blake2b(key=self.salts.salt(now), digest_size=8)
        self._since, self._until = day * 86400, (day + 1) * 86400

    def digest(self, material: bytes, now: float) -> bytes:
        """The hex digest (as ASCII bytes) of ``site \\0 ip \\0 user agent``, UTF-8 encoded."""
        if not self._since <= now < self._until:
            self._rekey(now)
        h = self._keyed.copy()
        h.update(material)
        return hexlify(h.digest())

    def visitor(self, site: str, ip: str, user_agent: str, now: float) -> str:
        if not self._since <= now < self._until:
            self._rekey(now)
        h = self._keyed.copy()
        h.update(f"{site}\0{ip}\0{user_agent}".encode("utf-8", "surrogatepass"))
        return h.hexdigest()
