import asyncio

from dashboard.keepalive import with_keepalive


async def quiet_then(chunks, pause):
    await asyncio.sleep(pause)
    for chunk in chunks:
        yield chunk


async def test_comments_fill_the_silence_and_chunks_pass_through():
    out = [c async for c in with_keepalive(quiet_then([b"event: x\n\n"], 0.25), 0.1)]
    assert out[-1] == b"event: x\n\n"
    assert out.count(b": keepalive\n\n") >= 1


async def test_an_upstream_error_ends_the_stream_quietly():
    async def broken():
        yield b"a"
        raise ConnectionError("gone")

    assert [c async for c in with_keepalive(broken(), 1)] == [b"a"]


async def test_closing_early_closes_the_source():
    closed = asyncio.Event()

    async def endless():
        try:
            while True:
                await asyncio.sleep(0.01)
                yield b"x"
        finally:
            closed.set()

    stream = with_keepalive(endless(), 1)
    assert await anext(stream) == b"x"
    await stream.aclose()
    await asyncio.wait_for(closed.wait(), 1)
