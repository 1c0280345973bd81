"""`make bench`: run every bench/bench_*.py, print each figure as a ratio against the
ceiling it names (measured in the same run), and write the results as JSON.

    python bench/run.py [--only collector,writer] [--quick]

A benchmark module exposes ``run(quick: bool = False) -> list[dict]``; each dict has
``name, value, unit, ceiling, ceiling_name, ratio, target, passed``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def machine() -> dict:
    return {"cores": os.cpu_count(), "python": platform.python_version(), "machine": platform.machine(),
            "load_before": os.getloadavg()[0]}


def show(result: dict) -> str:
    mark = "ok " if result.get("passed") else "MISS"
    return (f"  [{mark}] {result['name']}: {result['value']:,.3f} {result['unit']}"
            f"  = {result['ratio']:.2f} × {result['ceiling_name']} ({result['ceiling']:,.3f})"
            f"  target {result['target']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names (bench_<name>.py)")
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a smoke check")
    args = parser.parse_args(argv)
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    RESULTS.mkdir(exist_ok=True)
    summary, failures = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "benchmarks": {}}, 0
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"{name}:", flush=True)
        started = time.monotonic()
        try:
            results = load(path).run(quick=args.quick)
        except Exception:  # a broken benchmark is reported, the others still run
            traceback.print_exc()
            failures += 1
            summary["benchmarks"][name] = {"error": traceback.format_exc(limit=3)}
            continue
        for result in results:
            print(show(result), flush=True)
        record = {"seconds": round(time.monotonic() - started, 1), "results": results,
                  "command": f"python bench/run.py --only {name}" + (" --quick" if args.quick else "")}
        summary["benchmarks"][name] = record
        (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
    (RESULTS / "latest.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"results written to {RESULTS.relative_to(HERE.parent)}/", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
