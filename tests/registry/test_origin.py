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


# ---- where a URL points (SSRF): refused unless allow-listed --------------------------

from registry.domain.origin import OriginPolicy  # noqa: E402
from registry.settings import RegistrySettings  # noqa: E402

INTERNAL_HOSTS = [
    "127.0.0.1:8001", "169.254.169.254", "0x7f.1", "2130706433", "0177.0.0.1", "127.1",
    "0", "0.0.0.0", "10.0.0.5", "192.168.1.1", "172.16.0.1", "100.64.0.1", "[::1]", "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]", "[::127.0.0.1]", "[fe80::1]", "[fd00:ec2::254]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]",
    "127.0.0.1.", "[::]", "0x7f000001", "017700000001",
]


def checking(*origins: str, networks: tuple[str, ...] = (), resolve=None) -> OriginPolicy:
    return OriginPolicy.from_settings(origins, networks, resolve or (lambda host: ["93.184.216.34"]))


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
def test_internal_addresses_in_every_form_are_refused(host):
    announcer = Announcer(None, checking("*"))
    with pytest.raises(BadURL, match="address"):
        announcer.resolve(f"http://{host}/w.js")


def test_a_name_resolving_to_loopback_is_refused_with_the_real_resolver():
    policy = OriginPolicy.from_settings(["*"])  # the system resolver: localhost is 127.0.0.1 or ::1
    with pytest.raises(BadURL, match="loopback"):
        Announcer(None, policy).resolve("http://localhost:8100/w.js")


def test_a_name_resolving_to_metadata_through_the_resolver_seam_is_refused():
    policy = checking("*", resolve=lambda host: ["93.184.216.34", "169.254.169.254"])
    with pytest.raises(BadURL, match="metadata"):
        Announcer(None, policy).resolve("http://widgets.example/w.js")


def test_public_names_and_unresolvable_names_pass():
    assert Announcer(None, checking("*")).resolve("https://widgets.example/w.js") == "https://widgets.example/w.js"

    def nxdomain(host):
        raise OSError("Name or service not known")
    assert Announcer(None, checking("*", resolve=nxdomain)).resolve("https://gone.example/w.js")


def test_an_exact_allow_listed_origin_may_be_internal_but_not_its_neighbours():
    announcer = Announcer("http://127.0.0.1:8100", checking("http://127.0.0.1:8100"))
    assert announcer.resolve("page-views/a.js") == "http://127.0.0.1:8100/page-views/a.js"
    with pytest.raises(BadURL):
        Announcer("http://127.0.0.1:8001", checking("http://127.0.0.1:8100")).resolve("a.js")
    with pytest.raises(BadURL):  # the same address spelt oddly is not the allow-listed origin
        Announcer("http://0x7f.1:8100", checking("http://127.0.0.1:8100", "*")).resolve("a.js")


def test_wildcards_match_subdomains_and_still_need_public_addresses():
    policy = checking("https://*.widgets.example", resolve=lambda host: ["10.1.2.3"] if host.startswith("in.") else ["93.184.216.34"])
    assert Announcer(None, policy).resolve("https://a.widgets.example/w.js")
    with pytest.raises(BadURL, match="private"):
        Announcer(None, policy).resolve("https://in.widgets.example/w.js")
    with pytest.raises(BadURL, match="outside"):
        Announcer(None, policy).resolve("https://widgets.example.evil/w.js")


def test_an_allow_listed_network_lets_its_internal_addresses_through():
    policy = checking("*", networks=("10.0.0.0/8",))
    assert Announcer(None, policy).resolve("http://10.1.2.3:8100/w.js")
    with pytest.raises(BadURL):
        Announcer(None, policy).resolve("http://192.168.0.1:8100/w.js")


def test_settings_refuse_a_bad_allow_list_entry():
    with pytest.raises(ValueError):
        RegistrySettings(allowed_origins=["http://x.test/path"])
    with pytest.raises(ValueError):
        RegistrySettings(allowed_networks=["10.0.0.0/99"])


# ---- the running registry (settings defaults, HTTP) ----------------------------------

MODULES = ["http://127.0.0.1:8001/api/v1/widgets", "http://169.254.169.254/latest/meta-data/", "http://0x7f.1:8001/x.js",
           "http://2130706433:8001/x.js", "http://[::ffff:127.0.0.1]:8001/x.js", "http://[::1]:8001/x.js",
           "http://localhost:8001/x.js"]


@pytest.mark.parametrize("module", MODULES)
async def test_the_registry_refuses_internal_module_urls_by_default(start_app, clock, make_manifest, module):
    settings = RegistrySettings(database_url="memory://", allowed_networks=[], require_tokens=False)  # the defaults but tokens (env cleared)
    async with start_app(settings, clock) as client:
        response = await client.put("/api/v1/widgets/page-views", json=make_manifest(module=module, icon=None))
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert any(p["loc"][-1] == "module" and "address" in p["msg"] for p in problems), problems


async def test_the_registry_accepts_an_allow_listed_loopback_host(start_app, clock, make_manifest):
    settings = RegistrySettings(database_url="memory://", allowed_networks=[], allowed_origins=["http://127.0.0.1:8100"], require_tokens=False)
    async with start_app(settings, clock) as client:
        response = await client.put("/api/v1/widgets/page-views", json=make_manifest(icon=None))
        refused = await client.put("/api/v1/widgets/other", json=make_manifest(id="other", module="http://127.0.0.1:8001/x.js", icon=None))
    assert response.status_code == 201, response.text
    assert refused.status_code == 422
