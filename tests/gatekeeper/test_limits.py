from gatekeeper.limits import EdgeLimits


def test_a_service_reads_its_own_prefix_and_the_environment_wins_over_its_defaults(monkeypatch):
    monkeypatch.setenv("TESSERA_COLLECTOR_MAX_HEADERS", "7")
    monkeypatch.setenv("TESSERA_REGISTRY_MAX_HEADERS", "9")
    collector = EdgeLimits.of("collector", max_headers=50, max_body_bytes=4 << 20)
    assert (collector.max_headers, collector.max_body_bytes) == (7, 4 << 20)
    assert EdgeLimits.of("registry").max_headers == 9
    assert EdgeLimits.of("dashboard") == EdgeLimits()
