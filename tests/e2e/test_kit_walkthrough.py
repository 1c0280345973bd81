"""widgets/README.md's walkthrough, timed, on the real processes: a new team scaffolds a
widget, serves its folder from its own host and runs a sidecar; the kit-based widget must be
live in the dashboard's catalogue and drawing real data in the shell within 60 s."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.e2e.conftest import ROOT, launch
from tests.e2e.test_walking_skeleton import DESKTOP

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]
LIST = "document.querySelector('growth-popular-pages')?.shadowRoot?.querySelector('tessera-bar-list')"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def catalogue_ids(dashboard: str) -> set[str]:
    try:
        with urllib.request.urlopen(f"{dashboard}api/v1/catalogue", timeout=2) as answer:
            return {item["id"] for item in json.load(answer)["items"] if item.get("status") == "live"}
    except OSError:
        return set()


@pytest.fixture
def team_host(tmp_path, monkeypatch):
    """The new team's widget host origin, allow-listed by the operator as README says
    (a loopback host is refused unless allow-listed), and make up started with it."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("TESSERA_REGISTRY_ALLOWED_ORIGINS", origin)
    monkeypatch.setenv("TESSERA_DASHBOARD_WIDGET_ORIGINS", origin)
    launched = launch(tmp_path / "var", "--no-traffic")
    try:
        launched.wait_for_line("Tessera is up", timeout=180)
        yield launched, port
    finally:
        if launched.process.poll() is None:
            launched.stop()


def test_scaffold_to_a_kit_widget_drawing_data_in_the_shell_within_a_minute(team_host, chromium, tmp_path):
    tessera, port = team_host
    context = chromium.new_context(viewport={"width": 1400, "height": 860}, user_agent=DESKTOP)
    processes: list[subprocess.Popen] = []
    try:
        visitor = context.new_page()
        for path in ["/", "/pricing.html", "/"]:
            with visitor.expect_response(lambda r: "/t.gif" in r.url):
                visitor.goto(tessera.demo.rstrip("/") + path)

        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "sidecar", "scaffold", "popular-pages", "--team", "growth",
                        "--dir", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
        issued = subprocess.run([sys.executable, "-m", "registry", "tokens", "create", "--team", "growth"], cwd=ROOT,
                                env={**os.environ, "TESSERA_REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'registry.db'}"},
                                check=True, capture_output=True, text=True)
        token = issued.stdout.split("token:")[1].split()[0]
        processes.append(subprocess.Popen([sys.executable, "platform/static_host.py", "--port", str(port),
                                           "--directory", str(tmp_path)], cwd=ROOT))
        processes.append(subprocess.Popen([sys.executable, "-m", "sidecar", "--manifest",
                                           str(tmp_path / "popular-pages" / "manifest.json"), "--widget-url",
                                           f"http://127.0.0.1:{port}/popular-pages/", "--registry-url", tessera.url(1),
                                           "--token", token],
                                          cwd=ROOT))
        while "popular-pages" not in catalogue_ids(tessera.dashboard):
            assert time.monotonic() - started < 60, "not in the catalogue within 60 s"
            time.sleep(0.2)
        live = time.monotonic() - started

        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(tessera.dashboard + "?new")  # "/" opens the seeded default layout
        entry = page.locator("tessera-catalogue li", has_text="Popular pages")
        entry.get_by_role("button", name="Add").click(timeout=30_000)
        page.wait_for_function(f"() => {LIST}?.shadowRoot?.querySelectorAll('li').length >= 2", timeout=30_000)
        drawn = time.monotonic() - started
        labels = page.evaluate(f"() => [...{LIST}.shadowRoot.querySelectorAll('.label')].map((l) => l.textContent)")
        page.screenshot(path=str(ROOT / "var" / "screenshots" / "e2e-kit-walkthrough.png"))
        print(f"\nwalkthrough: live in the catalogue after {live:.1f} s, drawing data in the shell after {drawn:.1f} s")
        assert drawn < 60
        assert "/pricing.html" in labels
        assert not errors, errors
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        context.close()
