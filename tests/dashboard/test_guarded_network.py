"""The widget proxy's network backend against real sockets on loopback."""

from __future__ import annotations

import asyncio

import httpcore
import httpx
import pytest

from dashboard.guarded_network import GuardedNetwork, RefusedAddress, guarded_transport, refusal_of
from gatekeeper.address import AddressPolicy


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    host = next(line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("host:"))
    body = f"host={host}; peer={writer.get_extra_info('sockname')[0]}".encode()
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    writer.close()


@pytest.fixture
async def local_server():
    server = await asyncio.start_server(answer, "127.0.0.2", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


def resolving_to(*addresses: str):
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)
    return resolve


async def test_connects_to_the_checked_address_and_keeps_the_name(local_server):
    network = GuardedNetwork(AddressPolicy.from_strings(["127.0.0.2/32"]), resolve=resolving_to("127.0.0.2"))
    async with httpx.AsyncClient(transport=guarded_transport(network, httpx.Limits())) as client:
        response = await client.get(f"http://widgets.example:{local_server}/w.js")
    assert response.text == f"host=widgets.example:{local_server}; peer=127.0.0.2"


async def test_one_internal_answer_refuses_the_name(local_server):
    network = GuardedNetwork(AddressPolicy(), resolve=resolving_to("93.184.216.34", "127.0.0.2"))
    async with httpx.AsyncClient(transport=guarded_transport(network, httpx.Limits())) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(f"http://widgets.example:{local_server}/w.js")
    assert "127.0.0.2, a loopback address" in str(refusal_of(caught.value))


async def test_a_trusted_host_is_not_checked_but_an_odd_form_always_is(local_server):
    network = GuardedNetwork(AddressPolicy(), trusted=lambda host, port: host == "127.0.0.2")
    stream = await network.connect_tcp("127.0.0.2", local_server, timeout=2)
    await stream.aclose()
    with pytest.raises(RefusedAddress, match="odd form"):
        await GuardedNetwork(AddressPolicy(), trusted=lambda host, port: True).connect_tcp("0x7f.2", local_server)


async def test_resolution_failures_and_unix_sockets():
    async def nxdomain(host, port):
        raise OSError("Name or service not known")

    async def hang(host, port):
        await asyncio.sleep(10)
        return []

    with pytest.raises(httpcore.ConnectError) as caught:
        await GuardedNetwork(AddressPolicy(), resolve=nxdomain).connect_tcp("gone.example", 80)
    assert not isinstance(caught.value, RefusedAddress)
    with pytest.raises(httpcore.ConnectTimeout):
        await GuardedNetwork(AddressPolicy(), resolve=hang).connect_tcp("slow.example", 80, timeout=0.1)
    with pytest.raises(RefusedAddress):
        await GuardedNetwork(AddressPolicy()).connect_unix_socket("/var/run/docker.sock")
