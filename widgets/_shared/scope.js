// The scope a built-in widget's queries follow, shared by the built-in widgets' sources and
// bundled into each one (like a team's own npm package; not served on its own).
//
// Attributes are the source of truth: `site`, `page`, `referrer`, `filters` (JSON
// {dimension: value}), `from`/`to` (ISO; default the last `range-hours`). The accepted
// well-known topics only set them, so a page (or a test) can drive a widget by attributes:
//   page.selected {path}        → page        (null clears)
//   referrer.selected {referrer}→ referrer    (null clears)
//   filter.changed {filters}    → filters / page / referrer (a null value clears that one)
//   time.range {from, to}       → from, to
//   site.selected {site}        → site

export const DIMENSIONS = ["page", "referrer", "browser", "os", "device", "utm_source", "utm_medium", "utm_campaign"];
export const SCOPE_TOPICS = ["page.selected", "referrer.selected", "filter.changed", "time.range", "site.selected"];

export const scopeProperties = {
  site: { type: "string", default: "demo.local" },
  page: { type: "string", default: "" },
  referrer: { type: "string", default: "" },
  filters: { type: "json", default: {} },
  from: { type: "string", default: "" },
  to: { type: "string", default: "" },
  "range-hours": { type: "number", default: 24, min: 1 },
  "refresh-seconds": { type: "number", default: 15, min: 1 },
  "data-api": { type: "string", default: "" },
};
export const SCOPE_ATTRIBUTES = ["site", "page", "referrer", "filters", "from", "to", "range-hours", "data-api"];

function setOrClear(element, name, value) {
  if (value === null || value === undefined || value === "") element.removeAttribute(name);
  else element.setAttribute(name, String(value));
}

/** Receive the accepted topics (not those in `except`) and turn them into attributes. */
export function followScope(element, signal, { except = [], accept = (topic, handler) => element.accept(topic, handler, signal) } = {}) {
  const on = (topic, handler) => { if (!except.includes(topic)) accept(topic, handler); };
  on("page.selected", ({ path }) => setOrClear(element, "page", path));
  on("referrer.selected", ({ referrer }) => setOrClear(element, "referrer", referrer));
  on("site.selected", ({ site }) => { if (typeof site === "string" && site) element.setAttribute("site", site); });
  on("time.range", ({ from, to }) => {
    if (!from || !to || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) return;
    element.setAttribute("from", from);
    element.setAttribute("to", to);
  });
  on("filter.changed", ({ filters }) => {
    if (!filters || typeof filters !== "object") return;
    const next = { ...currentFilters(element) };
    for (const [field, value] of Object.entries(filters)) {
      if (!DIMENSIONS.includes(field)) continue;
      if (field === "page" || field === "referrer") {
        if (!except.includes(field === "page" ? "page.selected" : "referrer.selected")) setOrClear(element, field, value);
      } else if (value === null || value === undefined) delete next[field];
      else next[field] = String(value);
    }
    if (Object.keys(next).length) element.setAttribute("filters", JSON.stringify(next));
    else element.removeAttribute("filters");
  });
}

function currentFilters(element) {
  let raw = null;
  try { raw = JSON.parse(element.getAttribute("filters") ?? "null"); } catch { raw = null; }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return {};
  return Object.fromEntries(Object.entries(raw).filter(([k, v]) => DIMENSIONS.includes(k) && typeof v === "string"));
}

/** The time window: `from`/`to` if both parse, else the last `range-hours` up to now. */
export function scopeWindow(element, now = Date.now()) {
  const from = Date.parse(element.getAttribute("from") ?? "");
  const to = Date.parse(element.getAttribute("to") ?? "");
  if (Number.isFinite(from) && Number.isFinite(to) && from < to) {
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), fixed: true };
  }
  const hours = Number(element.getAttribute("range-hours")) || 24;
  return { from: new Date(now - hours * 3600e3).toISOString(), to: new Date(now).toISOString(), fixed: false };
}

/** Every filter in force, as the query API's parameters ({page, referrer, browser, …}). */
export function scopeFilters(element, { except = [] } = {}) {
  const out = {};
  const page = element.getAttribute("page");
  const referrer = element.getAttribute("referrer");
  if (page && !except.includes("page")) out.page = page;
  if (referrer !== null && referrer !== "" && !except.includes("referrer")) out.referrer = referrer;
  for (const [field, value] of Object.entries(currentFilters(element))) if (!except.includes(field)) out[field] = value;
  return out;
}

/** Query parameters for the breakdown / summary routes. */
export function scopeParams(element, options) {
  const { from, to } = scopeWindow(element);
  return { site: element.getAttribute("site") || "demo.local", from, to, ...scopeFilters(element, options) };
}

/** "page /pricing · browser Firefox" (or "" without filters), for a widget's subtitle. */
export function scopeLabel(element, options) {
  return Object.entries(scopeFilters(element, options)).map(([k, v]) => `${k.replace("utm_", "")} ${v || "(none)"}`).join(" · ");
}

/** "last 24 h" or "12:00 – 13:30". */
export function windowLabel(element) {
  const window = scopeWindow(element);
  if (!window.fixed) return `last ${Number(element.getAttribute("range-hours")) || 24} h`;
  const f = (iso) => new Date(iso).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  return `${f(window.from)} – ${f(window.to)}`;
}
