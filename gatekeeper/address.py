"""Which network addresses a server-side fetch may reach (the SSRF guard's core).

Pure: stdlib only, no I/O. Shared by the registry (when a manifest is validated) and the
dashboard's widget proxy (on every connection, after resolving the name).

A host is refused when it is a numeric address in an odd form (``0x7f.1``,
``2130706433``, ``0177.0.0.1``, ``127.1``, a trailing numeric label): the C resolver
reads those as IPv4 addresses, and no honest widget host is written that way. An
address is *internal* when it is not globally routable: loopback, private, link-local
(which holds the cloud metadata address ``169.254.169.254``), shared (CGNAT),
unspecified, multicast or reserved; IPv6 forms that carry an IPv4 address
(``::ffff:127.0.0.1``, ``::127.0.0.1``, NAT64, 6to4, Teredo) are judged by that address.
An internal address passes only when the operator allow-listed a network holding it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible IPv6
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"),
             ipaddress.ip_address("100.100.100.200")}


class AddressRefused(ValueError):
    """The host or address may not be fetched; the message says why."""


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` denotes when it is a canonical IP literal, else None.

    Raises AddressRefused for a numeric host in any non-canonical form."""
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(text.split("%", 1)[0] if ":" in text else text)
    except ValueError:
        pass
    if ":" in text:
        raise AddressRefused(f"host {host!r} is not a valid IPv6 address")
    last = text.rstrip(".").rsplit(".", 1)[-1]
    numeric = bool(last) and (last.isdigit() or (last[:2].lower() == "0x" and _is_hex(last[2:])))
    if numeric or _inet_aton(text) is not None:
        raise AddressRefused(f"host {host!r} is a numeric address in an odd form; write it as a dotted quad")
    return None


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def _inet_aton(text: str) -> bytes | None:
    try:
        return socket.inet_aton(text)
    except (OSError, ValueError):
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.is_loopback or address.is_unspecified:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _COMPATIBLE or any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def kind_of(address: IPAddress) -> str | None:
    """Why ``address`` is internal ("loopback", "private", …), or None when it is public."""
    inner = embedded_ipv4(address)
    if inner is not None:
        kind = kind_of(inner)
        return kind or ("IPv4-compatible" if address in _COMPATIBLE else None)
    if address in _METADATA:
        return "cloud metadata"
    for kind, flag in (("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
                       ("link-local", address.is_link_local), ("multicast", address.is_multicast),
                       ("private", address.is_private), ("reserved", address.is_reserved)):
        if flag:
            return kind
    if not address.is_global:
        return "non-global"
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Public addresses pass; internal ones only inside an allow-listed network."""

    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_strings(cls, networks: Iterable[str]) -> AddressPolicy:
        return cls(tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip()))

    def refusal(self, address: str | IPAddress) -> str | None:
        """The kind of internal address ``address`` is ("loopback", …), or None when it may be fetched."""
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
        kind = kind_of(ip)
        if kind is None or any(ip in net for net in self.networks if ip.version == net.version):
            return None
        return kind

    def check(self, addresses: Iterable[str | IPAddress], host: str) -> list[str]:
        """The addresses, all of them allowed; raises AddressRefused naming the first that is not."""
        checked = []
        for address in addresses:
            kind = self.refusal(address)
            if kind is not None:
                where = f"{host} is" if host.strip("[]") == str(address) else f"{host} resolves to {address},"
                raise AddressRefused(f"{where} a {kind} address; allow-list the origin to use it")
            checked.append(str(address))
        if not checked:
            raise AddressRefused(f"{host} resolves to no address")
        return checked
