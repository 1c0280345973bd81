from dashboard.sse import ServerSentEvent, comment, parse_events


async def lines(text: str):
    for line in text.splitlines(keepends=True):
        yield line


async def test_parses_named_events_with_multiline_data_and_skips_comments():
    text = ": hello\n\nevent: widget-registered\nid: 7\ndata: {\"a\":\ndata: 1}\n\nretry: 10\n\ndata: plain\n\n"
    events = [e async for e in parse_events(lines(text))]
    assert events == [
        ServerSentEvent("widget-registered", '{"a":\n1}', "7"),
        ServerSentEvent("message", "plain", "7"),
    ]


def test_encode_round_trips_multiline_data():
    assert ServerSentEvent("x", "a\nb").encode() == b"event: x\ndata: a\ndata: b\n\n"
    assert comment("ping") == b": ping\n\n"
