"""Pure enrichment: URL parts, referrer host, user agents, props and timestamps."""

import pytest

from tracker.collector.validation import Invalid, clean_props, event_time
from tracker.enrich.agent import AgentParser
from tracker.enrich.page import BadUrl, kept_referrer, page, referrer_host


def test_page_path_and_utm():
    assert page("https://x.example/a/b?utm_source=s&utm_campaign=c#h")[:4] == ("/a/b", "s", "", "c")
    assert page("https://x.example") == ("/", "", "", "", "https://x.example")
    assert page("") == ("/", "", "", "", "")
    with pytest.raises(BadUrl):
        page("not a url")


def test_kept_url_is_path_plus_allowed_parameters():
    assert page("https://u:pw@x.example/a?email=j%40x&utm_source=s&ref=hn&q=1#frag").url == \
        "https://x.example/a?utm_source=s&ref=hn"
    assert page("https://x.example/a?q=1&email=e", frozenset({"q"})).url == "https://x.example/a?q=1"
    assert kept_referrer("https://u:p@mail.example/inbox?user=joe#x") == "https://mail.example/inbox"
    assert kept_referrer("android-app://com.example/?a=1") == "android-app://com.example/"


def test_referrer_host():
    assert referrer_host("https://www.google.com/search?q=1") == "google.com"
    assert referrer_host("") == "" and referrer_host("garbage") == ""


def test_agent_parser_classifies_and_caches():
    agents = AgentParser(cache_size=8)
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
    result = agents.parse(iphone)
    assert (result.browser, result.os, result.device, result.is_bot) == ("Mobile Safari", "iOS", "mobile", False)
    assert agents.parse(iphone) is result
    assert agents.parse("curl/8.0").is_bot


def test_props_limits():
    assert clean_props({"a": 1, "b": True, "c": None, "d": "x"}) == {"a": "1", "b": "true", "d": "x"}
    with pytest.raises(Invalid):
        clean_props({str(i): "x" for i in range(31)})
    with pytest.raises(Invalid):
        clean_props({"a": "x" * 2000})


def test_event_time_believes_only_sane_client_clocks():
    assert event_time(1000.0, 990.0) == 990.0
    assert event_time(100000.0, 1.0) == 100000.0
    assert event_time(1000.0, 5000.0) == 1000.0
    assert event_time(1000.0, None) == 1000.0
