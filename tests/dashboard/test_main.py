import uvicorn

from dashboard import __main__ as entrypoint


def test_main_builds_settings_from_flags_and_runs_uvicorn(monkeypatch):
    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.update(app=app, **kwargs))
    entrypoint.main(["--host", "0.0.0.0", "--port", "8123"])
    assert (calls["host"], calls["port"]) == ("0.0.0.0", 8123)
    assert calls["app"].state.settings.port == 8123
    assert calls["timeout_graceful_shutdown"] > 0


def test_importing_the_package_does_no_io():
    import dashboard.app  # noqa: F401  (an import must not open sockets or files)

    assert not hasattr(dashboard.app, "app")
