from dashboard import __main__ as entrypoint
from gatekeeper import server


def test_main_builds_settings_from_flags_and_runs_behind_the_edge_limits(monkeypatch):
    calls = {}
    monkeypatch.setattr(server, "run", lambda app, limits, **kwargs: calls.update(app=app, limits=limits, **kwargs))
    entrypoint.main(["--host", "0.0.0.0", "--port", "8123"])
    assert (calls["host"], calls["port"]) == ("0.0.0.0", 8123)
    assert calls["app"].state.settings.port == 8123
    assert calls["timeout_graceful_shutdown"] > 0
    assert calls["limits"].max_headers > 0


def test_importing_the_package_does_no_io():
    import dashboard.app  # noqa: F401  (an import must not open sockets or files)

    assert not hasattr(dashboard.app, "app")
