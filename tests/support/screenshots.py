"""Where browser tests save screenshots: ``var/screenshots`` (ignored by git), or the
committed ``docs/images`` when ``TESSERA_UPDATE_SCREENSHOTS=1`` asks to refresh them,
so an ordinary test run leaves the tree clean."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def screenshot_dir() -> Path:
    return ROOT / ("docs/images" if os.environ.get("TESSERA_UPDATE_SCREENSHOTS") == "1" else "var/screenshots")
