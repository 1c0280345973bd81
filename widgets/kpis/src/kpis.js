// <tessera-site-kpis>: the site's headline numbers as kit KPI tiles — unique visitors, page
// views, views per visit, bounce rate, median engaged time (t.js engagement) — each against the
// period before, with an hourly sparkline of views and visitors. Data: the query API's
// /summary (current and previous period) and /pageviews?interval=1h (the sparklines).
// Follows the scope (scope.js): page, referrer, filters, time range, site.
import "/kit/v1/kpi-tiles-element.js";
import "/kit/v1/sparkline.js";
import { clientFor } from "/kit/v1/data-client.js";
import { KitElement } from "/kit/v1/kit-element.js";
import "/kit/v1/kpi-tiles.js";
import { SCOPE_ATTRIBUTES, followScope, scopeLabel, scopeParams, scopeWindow, windowLabel } from "../../_shared/scope.js";
import { frameCss } from "../../_shared/frame-style.js";
import { scopeProperties } from "../../_shared/scope.js";

// the body is a size container: in a short window the tiles give up their sparklines, not their numbers
const css = `${frameCss}
.body > tessera-kpi-tiles { position: static; }
.body { overflow: auto; container-type: size; }`;

/** The series route filters by path and referrer (and the breakdown dimensions). */
export function seriesParams(params) {
  const { page, ...rest } = params;
  return page ? { ...rest, path: page } : rest;
}

export function tiles(summary, points) {
  const now = summary.current ?? {};
  const before = summary.previous ?? {};
  const spark = (key) => points.map((p) => Number(p[key]) || 0);
  return [
    { key: "visitors", label: "Unique visitors", value: now.visitors, previous: before.visitors, spark: spark("visitors") },
    { key: "views", label: "Page views", value: now.views, previous: before.views, spark: spark("views") },
    { key: "views_per_visit", label: "Views per visit", value: now.views_per_visit, previous: before.views_per_visit },
    { key: "bounce_rate", label: "Bounce rate", value: now.bounce_rate, previous: before.bounce_rate, format: "percent", better: "down" },
    { key: "engaged", label: "Engaged time (median)", value: now.engaged_median_s, previous: before.engaged_median_s, format: "duration" },
  ];
}

export class SiteKpisElement extends KitElement {
  static css = css;
  static properties = scopeProperties;

  #parts;
  #abort = null;
  #live = null;
  #lastLive = 0;

  constructor() {
    super();
    this.shadowRoot.innerHTML = `
      <section class="frame" part="frame">
        <header class="head"><div class="titles"><h2 class="title">Overview</h2><div class="sub"></div></div></header>
        <div class="body"><tessera-kpi-tiles min-tile-width="132" loading-text="Loading the numbers…"
          error-title="Numbers unavailable" empty-title="No visits"></tessera-kpi-tiles></div>
      </section>`;
    this.#parts = { sub: this.shadowRoot.querySelector(".sub"), tiles: this.shadowRoot.querySelector("tessera-kpi-tiles") };
  }

  connected(signal) {
    followScope(this, signal);
    this.addEventListener("tessera-state-overlay-retried", () => this.refresh(), { signal });
    document.addEventListener("visibilitychange", () => { if (!document.hidden) this.refresh(); }, { signal });
    this.#follow();
    this.refresh();
  }

  disconnected() {
    this.#live?.close();
    this.#abort?.abort();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    super.attributeChangedCallback(name, oldValue, newValue);
    if (oldValue === newValue || !this.isConnected || !SCOPE_ATTRIBUTES.includes(name)) return;
    if (name === "site" || name === "data-api") {
      this.#parts.tiles.reset();
      this.#follow();
    }
    this.refresh();
  }

  async refresh() {
    if (!this.isConnected) return;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const client = clientFor(this);
    const params = scopeParams(this);
    const window = scopeWindow(this);
    const hours = (Date.parse(window.to) - Date.parse(window.from)) / 3600e3;
    const interval = hours > 72 ? "1d" : hours > 3 ? "1h" : "1m";
    await this.#parts.tiles.load(async () => {
      const [summary, series] = await Promise.all([
        client.query("summary", params, { signal: abort.signal }),
        client.query("pageviews", { ...seriesParams(params), interval }, { signal: abort.signal })
          .catch((error) => (error?.status === 422 ? { rows: [] } : Promise.reject(error))),
      ]);
      const rows = summary.body?.current?.views ? tiles(summary.body, series.rows) : [];
      return { rows, watermark: summary.watermark };
    });
    if (this.#abort === abort) this.#abort = null;
    this.queueRender();
  }

  #follow() {
    this.#live?.close();
    const every = () => this.refreshSeconds * 1000;
    this.#live = clientFor(this).subscribe("stream", { site: this.site }, (update) => {
      if (update.via === "poll" || Date.now() - this.#lastLive >= every()) {
        this.#lastLive = Date.now();
        if (!this.#abort) this.refresh(); // never abort the question in flight for the same one
      }
    }, { events: ["minute"], pollMs: every() });
  }

  render() {
    const filters = scopeLabel(this);
    this.#parts.sub.textContent = [this.site, windowLabel(this), filters].filter(Boolean).join(" · ");
    this.#parts.sub.classList.toggle("filtered", Boolean(filters));
    this.#parts.tiles.comparison = scopeWindow(this).fixed ? "vs the period before" : `vs the ${Number(this.rangeHours) || 24} h before`;
    if (this.theme) this.#parts.tiles.theme = this.theme;
    else this.#parts.tiles.removeAttribute("theme");
  }
}

SiteKpisElement.defineProperties();
if (!customElements.get("tessera-site-kpis")) customElements.define("tessera-site-kpis", SiteKpisElement);
