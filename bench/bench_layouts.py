"""Layouts at scale: save p99 and open-shared-layout p99 with 10,000 stored layouts and
100,000 versions (20 layouts carry 1,000 versions each), target <= 20 ms p99 each.

    python bench/bench_layouts.py [--quick]      (or: python bench/run.py --only layouts)
    BENCH_LAYOUTS_POSTGRES=1 python bench/run.py --only layouts   (SQLite, then PostgreSQL)

The store is seeded straight through the SQL adapter's tables (100k versions through
HTTP would take minutes and measure nothing extra); then the dashboard runs as a real
process (``python -m dashboard``, uvicorn, SQLite in a temp dir) pinned to one core, and
this process sends requests one at a time over a keep-alive connection from the other
core. Half of the saves go to the 1,000-version layouts. ``GET /healthz`` on the same
process is measured alongside as the floor (what uvicorn + FastAPI alone cost right now).
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
P99_CEILING_MS = 20.0
BIG_LAYOUTS, BIG_VERSIONS = 20, 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin(pid: int, cores: set[int]) -> bool:
    if not hasattr(os, "sched_setaffinity"):
        return False
    try:
        available = os.sched_getaffinity(0)
        os.sched_setaffinity(pid, cores & available or {min(available)})
        return True
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (its threads included), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def p50(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2] * 1000


def document(i: int, n: int) -> dict:
    """A realistic six-window layout (two rows, a stack), about 1.5 KB."""
    def win(k: int) -> dict:
        return {"type": "component", "componentType": "tessera-widget", "title": f"Widget {k}",
                "componentState": {"widgetId": f"widget-{k}", "version": "1.2.0", "windowId": f"w{k}",
                                   "attributes": {"site": f"site-{i % 50}.example", "range": "24h", "n": n}}}
    return {
        "schemaVersion": 2, "title": f"Layout {i}", "description": f"Bench layout {i}", "owner": f"team-{i % 40}",
        "layout": {"root": {"type": "column", "content": [
            {"type": "row", "content": [win(1), win(2), {"type": "stack", "content": [win(3), win(4)]}]},
            {"type": "row", "content": [win(5), win(6)]}]},
            "settings": {"showPopoutIcon": False}, "dimensions": {"headerHeight": 30}},
        "wiring": {"channels": {"w1": "red", "w5": "red"}}, "viewState": {"range": "24h"},
    }


def seed(url: str, layouts: int, versions: int) -> dict:
    """Write ``layouts`` layouts and ``versions`` versions; answer keys, latest numbers and link tokens."""
    sys.path.insert(0, str(ROOT))
    import sqlalchemy as sa

    from dashboard.layouts import document as doc_rules
    from dashboard.layouts.capability import token_hash
    from dashboard.layouts.database import open_stores
    from dashboard.layouts.tables import LayoutLinkRow, LayoutRow, LayoutVersionRow

    stores = open_stores(url)
    engine = stores.engine
    big = min(BIG_LAYOUTS, layouts)
    per_big = min(BIG_VERSIONS, versions // (2 * big)) if big else 0
    rest = versions - big * per_big
    counts = [per_big] * big + [rest // (layouts - big) + (1 if k < rest % (layouts - big) else 0)
                                for k in range(layouts - big)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    latest, keys, tokens = {}, {}, []
    with engine.begin() as conn:
        layout_rows, version_rows, link_rows = [], [], []
        for i, count in enumerate(counts):
            layout_id = f"bench{i:05d}"
            keys[layout_id] = f"tek_bench_key_{i:05d}_padding_padding_padding"
            for n in range(1, count + 1):
                body = document(i, n)
                version_rows.append({"layout_id": layout_id, "number": n, "parent": n - 1 or None, "author": "bench",
                                     "message": f"save {n}", "content_hash": doc_rules.content_hash(body),
                                     "restored_from": None, "document": body,
                                     "created_at": start + timedelta(seconds=i * 10 + n)})
            layout_rows.append({"id": layout_id, "title": f"Layout {i}", "owner": f"team-{i % 40}",
                                "description": f"Bench layout {i}", "edit_key_hash": token_hash(keys[layout_id]),
                                "latest": count, "latest_hash": version_rows[-1]["content_hash"], "parent_id": None,
                                "parent_version": None, "created_at": start, "updated_at": start + timedelta(seconds=i),
                                "deleted_at": None})
            token = f"tvl_bench_link_{i:05d}_padding_padding_padding"
            pinned = count // 2 if i % 3 == 0 else None
            link_rows.append({"id": f"link{i:05d}", "layout_id": layout_id, "token_hash": token_hash(token),
                              "role": "view", "version": pinned or None, "view_state": {"range": "7d"},
                              "created_at": start, "expires_at": None, "revoked_at": None})
            tokens.append(token)
            latest[layout_id] = count
            if len(version_rows) >= 5000:
                conn.execute(LayoutRow.__table__.insert(), layout_rows)
                conn.execute(LayoutVersionRow.__table__.insert(), version_rows)
                layout_rows, version_rows = [], []
        if layout_rows:
            conn.execute(LayoutRow.__table__.insert(), layout_rows)
        if version_rows:
            conn.execute(LayoutVersionRow.__table__.insert(), version_rows)
        conn.execute(LayoutLinkRow.__table__.insert(), link_rows)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(LayoutVersionRow.__table__)).scalar()
    stores.close()
    return {"latest": latest, "keys": keys, "tokens": tokens, "big": [f"bench{i:05d}" for i in range(big)],
            "versions": stored, "per_big": per_big}


class Dashboard:
    def __init__(self, tmp: str, url: str, core: int) -> None:
        self.port = free_port()
        env = {**os.environ, "TESSERA_DASHBOARD_DATABASE_URL": url, "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pinned = pin(self.proc.pid, {core})
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base}/api/v1/schema/layout").status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError("dashboard did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def measure(base: str, pid: int, seeded: dict, quick: bool) -> dict:
    rng = random.Random(7)
    saves_n, opens_n = (150, 300) if quick else (600, 1500)
    small = [i for i in seeded["latest"] if i not in set(seeded["big"])]
    saves, opens, floor, errors = [], [], [], 0
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(30):  # warm-up
            client.get("/healthz")
            client.get(f"/api/v1/shared/{rng.choice(seeded['tokens'])}")
        cpu0 = cpu_seconds(pid)
        for k in range(saves_n):
            layout_id = rng.choice(seeded["big"]) if k % 2 == 0 else rng.choice(small)
            number = seeded["latest"][layout_id]
            body = document(int(layout_id[5:]), number + 1)
            body["title"] = f"Saved {k}"
            started = time.perf_counter()
            r = client.put(f"/api/v1/layouts/{layout_id}", json=body,
                           headers={"Authorization": f"Bearer {seeded['keys'][layout_id]}", "If-Match": f'"{number}"'})
            saves.append(time.perf_counter() - started)
            if r.status_code == 200 and r.json()["version"] == number + 1:
                seeded["latest"][layout_id] = number + 1
            else:
                errors += 1
        cpu_save = (cpu_seconds(pid) - cpu0) / saves_n
        opens_cpu = 0.0
        for _ in range(opens_n):
            cpu0 = cpu_seconds(pid)
            token = rng.choice(seeded["tokens"])
            started = time.perf_counter()
            r = client.get(f"/api/v1/shared/{token}")
            opens.append(time.perf_counter() - started)
            errors += r.status_code != 200
            opens_cpu += cpu_seconds(pid) - cpu0
            started = time.perf_counter()
            client.get("/healthz")
            floor.append(time.perf_counter() - started)
    return {"save_p99": p99(saves), "save_p50": p50(saves), "open_p99": p99(opens), "open_p50": p50(opens),
            "floor_p99": p99(floor), "cpu_save": cpu_save * 1000, "cpu_open": opens_cpu / opens_n * 1000, "errors": errors, "saves": saves_n, "opens": opens_n}


def result(name: str, value: float, unit: str, ceiling: float, ceiling_name: str, target: str) -> dict:
    return {"name": name, "value": round(value, 4), "unit": unit, "ceiling": ceiling, "ceiling_name": ceiling_name,
            "ratio": round(value / ceiling, 4) if ceiling else 0.0, "target": target, "passed": value <= ceiling}


@contextlib.contextmanager
def database(kind: str, tmp: str):
    """A SQLite file in ``tmp``, or a fresh schema on the PostgreSQL server (dropped after)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/dashboard.db"
        return
    import sqlalchemy as sa

    server = os.environ.get("TESSERA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"bench_layouts_{os.getpid()}"
    engine = sa.create_engine(server)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{server}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def run(quick: bool = False) -> list[dict]:
    """SQLite (the default store); also PostgreSQL when BENCH_LAYOUTS_POSTGRES=1."""
    kinds = ["sqlite"] + (["postgres"] if os.environ.get("BENCH_LAYOUTS_POSTGRES") == "1" else [])
    return [r for kind in kinds for r in run_on(kind, quick)]


def run_on(kind: str, quick: bool) -> list[dict]:
    layouts, versions = (1_000, 10_000) if quick else (10_000, 100_000)
    own = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    core = max(own) if own else 0
    with tempfile.TemporaryDirectory(prefix="bench-layouts-") as tmp, database(kind, tmp) as url:
        started = time.monotonic()
        seeded = seed(url, layouts, versions)
        seeding = time.monotonic() - started
        dashboard = Dashboard(tmp, url, core)
        try:
            dashboard.wait_ready()
            if len(own) > 1:
                pin(0, own - {core})
            figures = measure(dashboard.base, dashboard.proc.pid, seeded, quick)
        finally:
            dashboard.stop()
            if own:
                os.sched_setaffinity(0, own)
    scale = (f"{layouts:,} layouts, {seeded['versions']:,} versions ({BIG_LAYOUTS} with {seeded['per_big']:,}), "
             f"{'SQLite' if kind == 'sqlite' else 'PostgreSQL'}, seeded in {seeding:.0f} s; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
             f"{'pinned' if dashboard.pinned else 'not pinned'}; {figures['errors']} errors")
    return [
        result(f"save p99 ({kind})", figures["save_p99"], "ms", P99_CEILING_MS, "20 ms",
               f"<= 20 ms ({figures['saves']} saves, half on 1,000-version layouts; p50 {figures['save_p50']:.1f} ms; "
               f"server CPU {figures['cpu_save']:.2f} ms a save; {scale})"),
        result(f"open shared layout p99 ({kind})", figures["open_p99"], "ms", P99_CEILING_MS, "20 ms",
               f"<= 20 ms ({figures['opens']} opens of random view links, a third pinned; p50 {figures['open_p50']:.1f} ms; "
               f"server CPU {figures['cpu_open']:.2f} ms an open)"),
        result(f"floor: GET /healthz p99, same process, interleaved ({kind})", figures["floor_p99"], "ms", P99_CEILING_MS,
               "20 ms", "context: this machine's contention while the figures above were taken"),
    ]


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        mark = "ok  " if r["passed"] else "MISS"
        print(f"[{mark}] {r['name']}: {r['value']:.3f} {r['unit']} (ceiling {r['ceiling']} {r['unit']}; {r['target']})")
