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

/** API points → uPlot columns [seconds[], views[], visitors[]], sorted by time. */
export function toColumns(points) {
  const rows = (Array.isArray(points) ? points : [])
    .map((p) => [Date.parse(p.t) / 1000, Number(p.views) || 0, Number(p.visitors) || 0])
    .filter((row) => Number.isFinite(row[0]))
    .sort((a, b) => a[0] - b[0]);
  return [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
}

/** Views in range, and visitors summed per minute (a visitor counts once per minute). */
export function totals(columns) {
  const sum = (values) => values.reduce((total, value) => total + value, 0);
  return { views: sum(columns[1]), visitors: sum(columns[2]), peak: Math.max(0, ...columns[1]) };
}

export function clockTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}
