"""The widget proxy's network: every connection goes to an address that was checked.

``GuardedNetwork`` is an httpcore network backend. For each new connection it resolves
the host itself (through ``resolve``, a seam for tests), refuses loopback, private,
link-local and metadata addresses (``gatekeeper.address``) unless the host's origin is
allow-listed exactly, and then connects to the checked IP — never to the name, so a DNS
answer that changes between the check and the connect (rebinding) cannot redirect it.
The URL, the ``Host`` header and TLS SNI/certificate checks keep the name, because
httpcore starts TLS with the origin's host name on the stream this backend returns.
"""

from __future__ import annotations

import asyncio
import socket
import typing
from collections.abc import Awaitable, Callable

import httpcore
import httpx

from gatekeeper.address import AddressPolicy, AddressRefused, literal_address

Resolve = Callable[[str, int], Awaitable[list[str]]]
Trusted = Callable[[str, int], bool]


class RefusedAddress(httpcore.ConnectError):
    """The host resolves where the proxy may not go (httpx raises it as a ConnectError)."""


async def system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def refusal_of(exc: BaseException) -> RefusedAddress | None:
    """The RefusedAddress behind an httpx error, if that is what it was."""
    while exc is not None:
        if isinstance(exc, RefusedAddress):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


class GuardedNetwork(httpcore.AsyncNetworkBackend):
    def __init__(self, policy: AddressPolicy, *, resolve: Resolve = system_resolve,
                 trusted: Trusted = lambda host, port: False,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.resolve = resolve
        self.trusted = trusted
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        addresses = await self.addresses(host, port, timeout)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def addresses(self, host: str, port: int, timeout: float | None) -> list[str]:
        """The checked addresses to try for ``host``; raises RefusedAddress."""
        try:
            literal = literal_address(host)
            if literal is not None:
                found = [str(literal)]
            else:
                try:
                    async with asyncio.timeout(timeout):
                        found = await self.resolve(host, port)
                except TimeoutError:
                    raise httpcore.ConnectTimeout(f"resolving {host} took longer than {timeout}s") from None
                except OSError as exc:
                    raise httpcore.ConnectError(f"{host} does not resolve ({exc})") from exc
            if self.trusted(host, port):
                return found
            return self.policy.check(found, host)
        except AddressRefused as exc:
            raise RefusedAddress(str(exc)) from None

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress("the widget proxy does not connect to unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_transport(network: GuardedNetwork, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections all go through ``network``."""
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    # httpx exposes no network-backend option; its pool is httpcore's, which does.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=transport._pool._ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=network,
    )
    return transport
