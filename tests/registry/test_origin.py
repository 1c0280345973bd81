import pytest

from registry.domain.origin import Announcer, BadURL, origin_of


def test_origin_of_normalises_default_ports_and_case():
    assert origin_of("HTTP://Example.test:80/a/b") == "http://example.test"
    assert origin_of("https://example.test:8443/x") == "https://example.test:8443"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/javascript,alert(1)", "ftp://x.test/a.js", "http://user:pw@x.test/a.js", "http:///a.js", "http://x.test/a b.js", "http://x.test\\a.js"],
)
def test_origin_of_refuses_unsafe_urls(url):
    with pytest.raises(BadURL):
        origin_of(url)


def test_relative_references_resolve_against_the_announcers_base():
    announcer = Announcer("http://127.0.0.1:8100/page-views/")
    assert announcer.resolve("dist/a.js") == "http://127.0.0.1:8100/page-views/dist/a.js"
    assert announcer.resolve("/other/a.js") == "http://127.0.0.1:8100/other/a.js"


def test_foreign_origin_is_refused():
    announcer = Announcer("http://127.0.0.1:8100")
    with pytest.raises(BadURL, match="outside"):
        announcer.resolve("http://evil.test/a.js")
    with pytest.raises(BadURL, match="outside"):
        announcer.resolve("//evil.test/a.js")


def test_allow_list_permits_extra_origins():
    announcer = Announcer(None, frozenset({"https://cdn.test"}))
    assert announcer.resolve("https://cdn.test/a.js") == "https://cdn.test/a.js"
    with pytest.raises(BadURL):
        announcer.resolve("https://other.test/a.js")


@pytest.mark.parametrize("ref", ["javascript:alert(1)", "JavaScript:alert(1)", "data:,x", " javascript:alert(1)"])
def test_dangerous_schemes_never_pass(ref):
    with pytest.raises(BadURL):
        Announcer("http://127.0.0.1:8100").resolve(ref)
