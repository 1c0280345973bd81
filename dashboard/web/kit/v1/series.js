// Pure: rows of {t, …} → uPlot's columns, and what a chart selection means (tested in node).

/** A time as epoch seconds: ISO text, epoch milliseconds (> 1e11) or seconds; NaN when unreadable. */
export function toSeconds(value) {
  if (value instanceof Date) return value.getTime() / 1000;
  if (typeof value === "number") return value > 1e11 ? value / 1000 : value;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? Number.NaN : parsed / 1000;
}

/** The numeric fields of the first row other than the time key. */
export function numericKeys(rows, timeKey = "t") {
  const first = rows.find((row) => row && typeof row === "object") ?? {};
  return Object.keys(first).filter((key) => key !== timeKey && typeof first[key] === "number");
}

/** [seconds[], …one array per key] sorted by time; rows without a readable time are dropped. */
export function toColumns(rows, timeKey, keys) {
  const sorted = (Array.isArray(rows) ? rows : [])
    .map((row) => [toSeconds(row?.[timeKey]), ...keys.map((key) => {
      const value = row?.[key];
      return value === null || value === undefined || value === "" ? null : Number(value);
    })])
    .filter((entry) => Number.isFinite(entry[0]))
    .sort((a, b) => a[0] - b[0]);
  return [sorted.map((entry) => entry[0]), ...keys.map((_, i) => sorted.map((entry) => entry[i + 1]))];
}

/** A drag over [fromSeconds, toSeconds] as a `time.range` payload. */
export function rangePayload(fromSeconds, toSeconds, interval) {
  const payload = { from: new Date(fromSeconds * 1000).toISOString(), to: new Date(toSeconds * 1000).toISOString() };
  if (interval) payload.interval = interval;
  return payload;
}
