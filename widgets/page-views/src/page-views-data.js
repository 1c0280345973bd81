// Pure helpers: the query window, the chart's columns and the totals. No DOM here.

const MINUTE = 60_000;

/** The window to ask for: from the start of the minute `rangeMinutes` ago up to now. */
export function timeWindow(rangeMinutes, now = Date.now()) {
  const from = Math.floor((now - rangeMinutes * MINUTE) / MINUTE) * MINUTE;
  return { from: new Date(from).toISOString(), to: new Date(now).toISOString() };
}

/** `${dataApi}/pageviews?...` for the given site and window. */
export function pageviewsUrl(dataApi, site, window) {
  const params = new URLSearchParams({ site, from: window.from, to: window.to, interval: "1m" });
  return `${dataApi.replace(/\/+$/, "")}/pageviews?${params}`;
}

/** `${dataApi}/visitors?...`: unique visitors over the whole window (not a sum of per-minute uniques). */
export function visitorsUrl(dataApi, site, window) {
  const params = new URLSearchParams({ site, from: window.from, to: window.to });
  return `${dataApi.replace(/\/+$/, "")}/visitors?${params}`;
}

/** API points → uPlot columns [seconds[], views[], visitors[]], sorted by time. */
export function toColumns(points) {
  const rows = (Array.isArray(points) ? points : [])
    .map((p) => [Date.parse(p.t) / 1000, Number(p.views) || 0, Number(p.visitors) || 0])
    .filter((row) => Number.isFinite(row[0]))
    .sort((a, b) => a[0] - b[0]);
  return [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
}

/** Views in range and the busiest minute. (Unique visitors over a range cannot be summed
 * from per-minute uniques: they come from the visitors endpoint.) */
export function totals(columns) {
  const sum = (values) => values.reduce((total, value) => total + value, 0);
  return { views: sum(columns[1]), peak: Math.max(0, ...columns[1]) };
}

export function clockTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}
