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
