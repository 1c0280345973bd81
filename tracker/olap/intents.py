"""The blocks an embedded engine was asked to insert: a journal beside its data.

chDB runs in the writer's process, so a kill -9 can cut an insert between its tables:
the events table's part lost (after its deduplication record was written, or before)
while the rollup views' parts landed.  The block's rows are then counted in the rollups
but absent from the events table, so the restarted writer cannot find the block there
(``stored_blocks``), and a replay that cuts the same records into other blocks would
count them in the rollups a second time.  The writer notes each insert's token here
before it starts; a recovering writer re-inserts a noted block not in the events table
whole, under its token, so every table that has it drops it, and the events table gets
it back (``tracker.olap.repair.restore_events``).

One line a token, appended and flushed before the insert (a killed process's writes
are in the page cache; a machine crash loses chDB's unsynced parts as well).  A torn
last line is skipped.  Only the newest ``keep`` tokens matter (the inserts not yet
committed are the last few), so the file is rewritten to them now and then.
"""

from __future__ import annotations

import os
from pathlib import Path


class Intents:
    def __init__(self, path: Path, keep: int = 64) -> None:
        self.path, self.keep = Path(path), keep
        self._lines = len(self._read())
        self._file = self.path.open("a", encoding="utf-8")

    def _read(self) -> list[str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        lines = text.split("\n")
        return [line for line in lines[:-1] if line]  # the last piece has no newline: torn, or empty

    def note(self, token: str) -> None:
        """Record that an insert under ``token`` starts now."""
        if "\n" in token:
            raise ValueError("a block token is one line")
        self._file.write(token + "\n")
        self._file.flush()
        self._lines += 1
        if self._lines > 4 * self.keep:
            self._compact()

    def _compact(self) -> None:
        newest = self._read()[-self.keep:]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(t + "\n" for t in newest), encoding="utf-8")
        self._file.close()
        os.replace(tmp, self.path)
        self._file = self.path.open("a", encoding="utf-8")
        self._lines = len(newest)

    def recent(self) -> list[str]:
        """The newest ``keep`` tokens noted, oldest first (the writer's ledger reads them)."""
        return self._read()[-self.keep:]

    def close(self) -> None:
        self._file.close()
