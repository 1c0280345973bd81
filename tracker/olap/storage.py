"""Storage settings for small, frequent inserts, kept on every MergeTree table of the database.

The writer inserts a few rows about once a second, and each insert writes one new part
into the events table and one into every rollup its views fill.  A regular (full) part
is a directory of ~12 files; on the ext4 the tracker runs on (mounted without a journal)
creating a file scans past every inode deleted in the last minute, and merges delete parts
all the time, so the part files, not the rows, cost most of an insert's CPU (measured
~80-88 ms an insert with the views, up to 64 % of it in the kernel's ``find_inode_bit``).
A *packed* part holds all its files in one ``data.packed``; below
``min_bytes_for_full_part_storage`` new and merged parts are packed (40-48 ms in the same runs).

Like the events TTL these are settings, not a migration: ``statements`` brings every
MergeTree table (those created by later migrations too) to ``TABLE_SETTINGS``, and only
to the settings the engine knows (an older ClickHouse server keeps its defaults).
Changing them affects new parts only; stored parts stay readable either way.
"""

from __future__ import annotations

TABLE_SETTINGS: dict[str, int] = {
    # parts below 10 MiB uncompressed (every insert of the writer, and their first merges) are
    # one file; bigger merged parts stay full, column per file
    "min_bytes_for_full_part_storage": 10 * 1024 * 1024,
}


def _has(engine_full: str, name: str, value: int) -> bool:
    return f"{name} = {value}" in engine_full


def statements(client, db: str, settings: dict[str, int] | None = None) -> list[str]:
    """``ALTER TABLE ... MODIFY SETTING`` for each MergeTree table of ``db`` lacking one of ``settings``."""
    wanted = TABLE_SETTINGS if settings is None else settings
    known = {r[0] for r in client.query("SELECT name FROM system.merge_tree_settings WHERE name IN {names:Array(String)}",
                                        parameters={"names": list(wanted)}).result_rows}
    wanted = {k: v for k, v in wanted.items() if k in known}
    if not wanted:
        return []
    tables = client.query("SELECT name, engine_full FROM system.tables WHERE database = {db:String} "
                          "AND engine LIKE '%MergeTree' ORDER BY name", parameters={"db": db}).result_rows
    out = []
    for name, engine_full in tables:
        missing = {k: v for k, v in wanted.items() if not _has(engine_full, k, v)}
        if missing:
            body = ", ".join(f"{k} = {int(v)}" for k, v in missing.items())
            out.append(f"ALTER TABLE {db}.`{name}` MODIFY SETTING {body}")
    return out
