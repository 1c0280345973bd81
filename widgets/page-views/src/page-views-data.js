// Pure helpers: the query window and the totals. No DOM here.

const MINUTE = 60_000;

/** The window to ask for: from the start of the minute `rangeMinutes` ago up to now. */
export function timeWindow(rangeMinutes, now = Date.now()) {
  const from = Math.floor((now - rangeMinutes * MINUTE) / MINUTE) * MINUTE;
  return { from: new Date(from).toISOString(), to: new Date(now).toISOString() };
}

/** Views in range and the busiest minute. (Unique visitors over a range cannot be summed
 * from per-minute uniques: they come from the visitors endpoint.) */
export function totals(points) {
  const views = (Array.isArray(points) ? points : []).map((p) => Number(p.views) || 0);
  return { views: views.reduce((sum, v) => sum + v, 0), peak: Math.max(0, ...views) };
}

/** A chosen window (time.range's from/to) and the bucket that keeps it under ~500 points, or
 * null when there is none (then the last `range-minutes`). */
export function seriesWindow(from, to) {
  const start = Date.parse(from ?? "");
  const end = Date.parse(to ?? "");
  if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) return null;
  const minutes = (end - start) / MINUTE;
  const interval = minutes <= 6 * 60 ? "1m" : minutes <= 14 * 24 * 60 ? "1h" : "1d";
  const f = (t) => new Date(t).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString(), interval,
           label: `${f(start)} – ${f(end)} · per ${{ "1m": "minute", "1h": "hour", "1d": "day" }[interval]}` };
}
