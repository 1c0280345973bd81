"""``python -m registry [serve] [--host H] [--port P]`` and ``python -m registry tokens …``."""

from __future__ import annotations

import sys

from registry.entrypoints.cli import main

if __name__ == "__main__":
    sys.exit(main())
