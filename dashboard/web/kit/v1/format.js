// Pure formatting helpers shared by the kit's elements (no DOM; tested in node).

// The formatters are made on first use: a page's first Intl formatter loads the locale data
// (15–30 ms on a busy 2-core machine), which would otherwise sit in the kit's import, before
// any widget could ask for its data. `warmFormats()` makes them while the page is idle.
const formatters = {};
const formatter = (name, make) => (formatters[name] ??= make());
const compact = () => formatter("compact", () => new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 }));
const whole = () => formatter("whole", () => new Intl.NumberFormat("en"));
const percent = () => formatter("percent", () => new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 }));
const clock = () => formatter("clock", () => new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }));
const dayClock = () => formatter("dayClock", () => new Intl.DateTimeFormat("en", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }));

/** Make the formatters now (idempotent); the kit calls it once the page is idle. */
export function warmFormats() {
  compact();
  whole();
  percent();
}

// In a browser: made in the first idle moment, typically while the first queries are in flight.
globalThis.requestIdleCallback?.(warmFormats, { timeout: 2000 });

/** 1234 → "1,234"; 12_345 → "12.3K" (compact from 10,000 up); "–" for anything not a number. */
export function formatNumber(value) {
  const number = Number(value);
  if (value === null || value === undefined || value === "" || !Number.isFinite(number)) return "–";
  return Math.abs(number) >= 10_000 ? compact().format(number) : whole().format(Math.round(number * 100) / 100);
}

/** 0.4213 → "42.1%". */
export function formatPercent(ratio) {
  const number = Number(ratio);
  return ratio === null || ratio === undefined || !Number.isFinite(number) ? "–" : percent().format(number);
}

/** Seconds → "42s", "3m 05s", "1h 02m". */
export function formatDuration(seconds) {
  const total = Number(seconds);
  if (seconds === null || seconds === undefined || !Number.isFinite(total) || total < 0) return "–";
  if (total < 60) return `${Math.round(total)}s`;
  const s = Math.round(total);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Format by name: "number" (default), "percent" (a ratio), "duration" (seconds). */
export function formatValue(value, format = "number") {
  if (format === "percent") return formatPercent(value);
  if (format === "duration") return formatDuration(value);
  return formatNumber(value);
}

/**
 * Change of `value` against `previous`: {ratio, direction: "up"|"down"|"flat", text}.
 * `ratio` is null when there is no previous period to compare with (or it was zero).
 */
export function change(value, previous) {
  const now = Number(value);
  const before = Number(previous);
  if (previous === null || previous === undefined || previous === "" || !Number.isFinite(now) || !Number.isFinite(before)) {
    return { ratio: null, direction: "flat", text: "" };
  }
  if (before === 0) return { ratio: null, direction: now > 0 ? "up" : "flat", text: now > 0 ? "new" : "±0%" };
  const ratio = (now - before) / Math.abs(before);
  const direction = Math.abs(ratio) < 0.0005 ? "flat" : ratio > 0 ? "up" : "down";
  const sign = direction === "up" ? "+" : direction === "down" ? "−" : "±";
  return { ratio, direction, text: `${sign}${percent().format(Math.abs(ratio))}` };
}

/** Seconds the data lags behind `now`, or null without a (valid) watermark. */
export function lagSeconds(watermark, now = Date.now()) {
  if (!watermark) return null;
  const t = Date.parse(watermark);
  return Number.isNaN(t) ? null : Math.max(0, (now - t) / 1000);
}

/** True when the data is complete only up to a time older than `staleAfter` seconds. */
export function isStale(watermark, staleAfter, now = Date.now()) {
  const lag = lagSeconds(watermark, now);
  return lag !== null && Number.isFinite(staleAfter) && staleAfter > 0 && lag > staleAfter;
}

/** "14:05:09" for today, "Nov 28, 14:05" for another day. */
export function clockTime(iso, now = Date.now()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return (sameDay ? clock() : dayClock()).format(date); // one formatter each (toLocaleString makes one a call)
}
