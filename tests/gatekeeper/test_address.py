import pytest

from gatekeeper.address import AddressPolicy, AddressRefused, kind_of, literal_address
from gatekeeper.origin_list import OriginList


@pytest.mark.parametrize(("host", "kind"), [
    ("127.0.0.1", "loopback"), ("[::1]", "loopback"), ("::ffff:127.0.0.1", "loopback"), ("::127.0.0.1", "loopback"),
    ("64:ff9b::a9fe:a9fe", "cloud metadata"), ("2002:7f00:1::", "loopback"), ("169.254.169.254", "cloud metadata"),
    ("10.0.0.1", "private"), ("fd12::1", "private"), ("fe80::1%eth0", "link-local"), ("100.64.0.1", "non-global"),
    ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("240.0.0.1", "private"),
])
def test_internal_addresses_are_named(host, kind):
    address = literal_address(host)
    assert address is not None and kind_of(address) == kind


@pytest.mark.parametrize("host", ["93.184.216.34", "2606:4700::1111", "::ffff:93.184.216.34"])
def test_public_addresses_pass(host):
    assert kind_of(literal_address(host)) is None


@pytest.mark.parametrize("host", ["0x7f.1", "0x7f000001", "2130706433", "0177.0.0.1", "127.1", "127.0.0.1.",
                                  "example.123", "1.2.3.0x4", "[::1", "[zz::1]"])
def test_odd_numeric_forms_are_refused(host):
    with pytest.raises(AddressRefused):
        literal_address(host)


@pytest.mark.parametrize("host", ["widgets.example", "xn--bcher-kva.example", "1e100.net", "localhost"])
def test_names_are_names(host):
    assert literal_address(host) is None


def test_an_allow_listed_network_admits_its_addresses_only():
    policy = AddressPolicy.from_strings(["10.0.0.0/8"])
    assert policy.check(["10.1.2.3"], "in.example") == ["10.1.2.3"]
    with pytest.raises(AddressRefused, match="in.example resolves to 192.168.0.1, a private address"):
        policy.check(["10.1.2.3", "192.168.0.1"], "in.example")  # one bad answer refuses the name
    with pytest.raises(AddressRefused, match="no address"):
        policy.check([], "empty.example")


def test_origin_list_matches_exact_wildcard_and_star():
    origins = OriginList(["http://127.0.0.1:8100", "https://*.widgets.example", "HTTPS://CDN.example:443"])
    assert origins.match("http://127.0.0.1:8100") is True
    assert origins.match("https://cdn.example") is True
    assert origins.match("https://a.b.widgets.example") is False  # listed, by a wildcard
    assert origins.match("https://widgets.example") is None
    assert origins.match("http://a.widgets.example") is None  # another scheme
    assert origins.match("https://evilwidgets.example") is None
    assert origins.match("http://127.0.0.1:8101") is None
    assert OriginList(["*"]).match("http://anything.example:9") is False
    assert not OriginList([]) and "http://x.example" not in OriginList([])


@pytest.mark.parametrize("entry", ["http://x.example/path", "ftp://x.example", "http://user@x.example", "nope"])
def test_origin_list_refuses_entries_that_are_not_origins(entry):
    with pytest.raises(ValueError):
        OriginList([entry])
