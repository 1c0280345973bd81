"""``python -m tracker <command>``: collector, writer (with the query API), query, pinot-config."""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "collector": "tracker.entrypoints.collector",
    "writer": "tracker.entrypoints.writer",
    "query": "tracker.entrypoints.query",
    "pinot-config": "tracker.entrypoints.pinot_config",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m tracker {{{'|'.join(COMMANDS)}}} [options]", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[argv[0]])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
