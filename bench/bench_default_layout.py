"""The first-run "Web analytics" layout fully rendered in Chromium: from navigation start to
every one of its 8 built-in widgets showing data (each kit element's dataState "ready"), on
the real processes of `make up` (demo traffic on). Target: ≤ 800 ms (p95 over 30 runs: of 15,
"p95" was the slowest run; each run a new browser context, so no HTTP cache; the dashboard and
widget hosts are warm). The page times itself: a probe installed before the page's own scripts
checks the widgets at every animation frame; the harness only reads the result once it is there
(Playwright's own wait injected its ~30 ms utility script into the page while it loaded).
Also reported: when the first data query left (the shell's own part of the critical path:
page, kit, catalogue, layout, widget modules) and when the last one was answered (the rest is
the query service's time).

    python bench/run.py --only default_layout
    python bench/bench_default_layout.py --detail   # per request: queued, server time, answered (medians)
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
CEILING_MS = 800.0
TAGS = ["tessera-site-kpis", "tessera-page-views", "tessera-live-feed", "tessera-top-pages", "tessera-top-referrers",
        "tessera-devices", "marketing-campaigns", "platform-mesh-health"]
# in the page, before its own scripts: ALL_READY at every animation frame until it holds
PROBE = "(() => {{ const tags = {tags}; const ready = {ready}; " \
        "const tick = () => {{ if (!ready(tags)) requestAnimationFrame(tick); }}; requestAnimationFrame(tick); }})()"
ALL_READY = """tags => {
  const ready = tags.every(tag => {
    const el = document.querySelector(tag);
    const root = el && (el.shadowRoot || el.renderRoot);
    const kit = root && root.querySelector('tessera-table, tessera-bar-list, tessera-kpi-tiles, tessera-time-series');
    const overlay = root && root.querySelector('tessera-state-overlay');
    return kit ? kit.dataState === 'ready' : overlay ? overlay.state === 'ready' : false;
  });
  if (ready && !window.__renderedAt) window.__renderedAt = performance.now();
  return ready;
}"""
PHASES = """() => {
  const metrics = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/metrics/')
    && !e.name.includes('/stream') && !e.name.includes('/recent'));
  return [Math.min(...metrics.map(e => e.startTime)), Math.max(...metrics.map(e => e.responseEnd))];
}"""
STATES = """tags => tags.map(tag => {
  const el = document.querySelector(tag);
  const root = el && (el.shadowRoot || el.renderRoot);
  const kit = root && root.querySelector('tessera-table, tessera-bar-list, tessera-kpi-tiles, tessera-time-series');
  const overlay = root && root.querySelector('tessera-state-overlay');
  return [tag, !!el, kit ? kit.dataState : null, overlay ? overlay.state : null, (kit || overlay)?.error?.message ?? null];
})"""
RESOURCES = """() => performance.getEntriesByType('resource').map(e => ({
  name: e.name, start: e.startTime, sent: e.requestStart, first: e.responseStart, end: e.responseEnd,
  server: (e.serverTiming || []).map(t => `${t.name}=${t.duration.toFixed(1)}`).join(' '),
}))"""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def free_base() -> int:
    for _ in range(200):
        base = random.randrange(20000, 40000)
        ok = True
        for offset in (0, 1, 2, 3, 100, 200):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", base + offset))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free ports")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(math.ceil(len(ordered) * q)) - 1)]


def result(name: str, value: float, target: str) -> dict:
    return {"name": name, "value": round(value, 1), "unit": "ms", "ceiling": CEILING_MS,
            "ceiling_name": "issue 11: default layout rendered", "ratio": round(value / CEILING_MS, 4),
            "target": target, "passed": value <= CEILING_MS}


def wait_rendered(page, timeout: float = 90.0) -> None:
    """Until the page's probe has seen every widget ready (a loaded machine: a slow run counts,
    not a crash); read in small evaluations, after the first 300 ms, so the harness adds no work
    to the page while it loads."""
    time.sleep(0.3)
    deadline = time.monotonic() + timeout
    while not page.evaluate("() => window.__renderedAt ?? null"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"not rendered: {page.evaluate(STATES, TAGS)}")
        time.sleep(0.05)


def run(quick: bool = False, detail: list | None = None) -> list[dict]:
    """``detail``: a list that receives each measured run's resource timings."""
    from playwright.sync_api import sync_playwright

    runs = 5 if quick else 30
    with TemporaryDirectory() as var:
        base = free_base()
        process = subprocess.Popen([sys.executable, str(ROOT / "platform" / "up.py"), "--base-port", str(base),
                                    "--var", str(Path(var) / "var"), "--rate", "5"],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []
        threading.Thread(target=lambda: [lines.append(line) for line in process.stdout], daemon=True).start()
        try:
            deadline = time.monotonic() + 180
            while not any("Tessera is up" in line for line in lines):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("make up did not start:\n" + "".join(lines[-40:]))
                time.sleep(0.3)
            time.sleep(20)  # every widget has data to show
            url = f"http://127.0.0.1:{base}/"
            samples, first_query, last_answer = [], [], []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                for i in range(runs + 1):
                    context = browser.new_context(viewport={"width": 1440, "height": 1000})
                    context.add_init_script(PROBE.format(tags=json.dumps(TAGS), ready=ALL_READY))
                    page = context.new_page()
                    page.goto(url, wait_until="commit")
                    wait_rendered(page)
                    if i:  # the first run warms the servers' caches
                        samples.append(page.evaluate("() => window.__renderedAt"))
                        started, answered = page.evaluate(PHASES)
                        first_query.append(started)
                        last_answer.append(answered)
                        if detail is not None:
                            detail.append(page.evaluate(RESOURCES))
                    context.close()
                browser.close()
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [result("default layout rendered p50", percentile(samples, 0.5), f"all 8 widgets ready, {runs} runs, load {load}"),
            result("default layout rendered p95", percentile(samples, 0.95), "≤ 800 ms after navigation"),
            result("default layout first data query sent p50", percentile(first_query, 0.5),
                   "the shell's part: page, kit, catalogue, layout, widget modules"),
            result("default layout last first-query answered p50", percentile(last_answer, 0.5),
                   "the rest is the query service's time")]


def _label(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path
    if "/api/" in path:
        query = "&".join(q for q in parts.query.split("&") if q.split("=")[0] in ("dimension", "interval", "include"))
        return path + (f"?{query}" if query else "")
    return path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1] if path.count("/") > 1 else path


def show_detail(runs: list[list[dict]]) -> None:
    """Median per request (by path and the parameters that tell widgets apart): when it started,
    how long it waited for a connection (Chromium's queueing/stalled), the server's own time
    (Server-Timing), and when it was answered."""
    import statistics

    rows: dict[str, list[dict]] = {}
    for entries in runs:
        seen: dict[str, int] = {}
        for e in entries:
            name = _label(e["name"])
            seen[name] = seen.get(name, 0) + 1
            rows.setdefault(f"{name} #{seen[name]}" if seen[name] > 1 else name, []).append(e)
    print(f"{'request':58} {'n':>3} {'start':>7} {'queued':>7} {'ttfb':>7} {'end':>7}  server")
    for name, es in sorted(rows.items(), key=lambda kv: statistics.median(e["start"] for e in kv[1])):
        med = lambda f: statistics.median(f(e) for e in es)  # noqa: E731
        servers = sorted(es, key=lambda e: e["end"] - e["start"])[len(es) // 2]["server"]
        print(f"{name[:58]:58} {len(es):>3} {med(lambda e: e['start']):7.0f} {med(lambda e: e['sent'] - e['start']):7.0f} "
              f"{med(lambda e: e['first'] - e['sent']):7.0f} {med(lambda e: e['end']):7.0f}  {servers}")


if __name__ == "__main__":
    found: list[list[dict]] = []
    for r in run(quick="--quick" in sys.argv, detail=found if "--detail" in sys.argv else None):
        print(f"{r['name']}: {r['value']} {r['unit']}  ({r['target']})")
    if found:
        show_detail(found)
