// The mesh's health, pure (no DOM): catalogue entries (live, stale and gone, from
// /api/v1/catalogue?include=gone) → one row per widget and per-team counts.
// `age` formats a heartbeat's age in seconds (the widget passes the kit's formatDuration).

export const STATUSES = ["live", "stale", "gone"];

/** Catalogue entries → one row per widget, plus per-team counts of live, stale and gone. */
export function meshRows(items, now = Date.now(), age = (seconds) => `${seconds}s`) {
  const rows = items.map((w) => ({
    id: w.id,
    widget: w.label || w.id,
    team: w.team || "(none)",
    status: STATUSES.includes(w.status) ? w.status : "live",
    products: (w.dataProducts ?? []).join(", ") || "—",
    heartbeat: w.lastSeen ? Math.max(0, Math.round((now - Date.parse(w.lastSeen)) / 1000)) : null,
  }));
  // status and the last heartbeat's age in one column ("gone · 4m": its last heartbeat was 4 minutes ago)
  for (const row of rows) row.health = row.heartbeat === null ? row.status : `${row.status} · ${age(row.heartbeat)}`;
  const teams = new Map();
  for (const row of rows) {
    const team = teams.get(row.team) ?? { team: row.team, widgets: 0, live: 0, stale: 0, gone: 0, lastSeen: null, products: new Set() };
    team.widgets += 1;
    team[row.status] += 1;
    if (row.heartbeat !== null) team.lastSeen = team.lastSeen === null ? row.heartbeat : Math.min(team.lastSeen, row.heartbeat);
    for (const product of row.products.split(", ")) if (product !== "—") team.products.add(product);
    teams.set(row.team, team);
  }
  return { rows, teams: [...teams.values()].sort((a, b) => a.team.localeCompare(b.team)) };
}
