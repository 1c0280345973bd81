// <tessera-page-views>: page views and unique visitors per minute for one site, built on the
// widget kit (/kit/v1/): its time series, data client and states.
//
// Attributes are the source of truth (properties reflect them):
//   site            the site to show (default "demo.local")
//   range-minutes   how far back to look (default 30)
//   data-api        base URL of the metrics API (set by the shell; property dataApi)
//   theme           "dark" | "light"
//   refresh-seconds polling period (default 5)
//   stream          if present, also refresh on the metrics SSE stream ({data-api}/stream)
// Emits  page-views-bucket-selected {t, views, visitors, site}  when a minute is clicked.
// Accepts site.selected (and the older site-selected) {site}, page.selected {path},
// referrer.selected {referrer}, filter.changed {filters} and time.range {from, to} via a
// `tessera-message` event or the `lastMessage` property (routed by the kit's accept()); each
// sets an attribute (page, referrer, filters, from, to: see widgets/_shared/scope.js) and the
// series is asked for again under those filters.

import "/kit/v1/time-series-element.js";
import "/kit/v1/series.js";
import { clientFor } from "/kit/v1/data-client.js";
import { clockTime, formatNumber } from "/kit/v1/format.js";
import { KitElement } from "/kit/v1/kit-element.js";
import "/kit/v1/time-series.js";
import { SCOPE_ATTRIBUTES, followScope, scopeFilters, scopeLabel } from "../../_shared/scope.js";
import { seriesWindow, timeWindow, totals } from "./page-views-data.js";
import { widgetCss } from "./page-views-style.js";

const SERIES = [{ key: "views", label: "views / min", style: "bars" }, { key: "visitors", label: "visitors / min", style: "line" }];

export class PageViewsElement extends KitElement {
  static css = widgetCss;
  static properties = {
    site: { type: "string", default: "demo.local" },
    "range-minutes": { type: "number", default: 30, min: 1 },
    "data-api": { type: "string", default: "" },
    "refresh-seconds": { type: "number", default: 5, min: 1 },
    stream: { type: "boolean" },
    page: { type: "string", default: "" },
    referrer: { type: "string", default: "" },
    filters: { type: "json", default: {} },
    from: { type: "string", default: "" },
    to: { type: "string", default: "" },
  };

  #parts;
  #visitors = null;
  #points = [];
  #subscriptions = [];
  #abort = null;
  #lastStreamReload = 0;

  constructor() {
    super();
    this.shadowRoot.innerHTML = `
      <div class="pv" part="container">
        <header class="head">
          <div class="title"><div class="site"></div><div class="range"></div></div>
          <div class="totals">
            <div class="total views"><span class="n">–</span> <span class="unit">views</span></div>
            <div class="total visitors" title="Unique visitors over the whole range"><span class="n">–</span> <span class="unit">visitors</span></div>
          </div>
        </header>
        <tessera-time-series interval="1m" emit-topic="time.range" loading-text="Loading page views…" error-title="Page views unavailable"
          empty-title="No page views yet"></tessera-time-series>
        <div class="status"></div>
      </div>`;
    const $ = (selector) => this.shadowRoot.querySelector(selector);
    this.#parts = {
      site: $(".site"), range: $(".range"), views: $(".views .n"), visitors: $(".visitors .n"),
      chart: $("tessera-time-series"), status: $(".status"),
    };
    this.#parts.chart.series = SERIES;
  }

  get rangeMinutes() {
    const value = Number.parseInt(this.getAttribute("range-minutes") ?? "", 10);
    return Number.isFinite(value) && value > 0 ? Math.min(value, 24 * 60) : 30;
  }
  set rangeMinutes(value) { this.setAttribute("range-minutes", String(value)); }

  connected(signal) {
    const followSite = ({ site }) => { if (typeof site === "string" && site) this.site = site; };
    this.accept("site.selected", followSite, signal);
    this.accept("site-selected", followSite, signal);
    followScope(this, signal, { except: ["site.selected"] });
    document.addEventListener("visibilitychange", () => { if (!document.hidden) this.refresh(); }, { signal });
    this.#parts.chart.addEventListener("tessera-time-series-selected", (event) => {
      event.stopPropagation();
      const { t, values } = event.detail;
      this.emit("page-views-bucket-selected", { t, views: values.views, visitors: values.visitors, site: this.site });
    }, { signal });
    // a drag over the chart leaves as time.range (for the others) and zooms this chart too
    this.#parts.chart.addEventListener("time.range", ({ detail }) => {
      if (detail?.from && detail?.to) { this.setAttribute("from", detail.from); this.setAttribute("to", detail.to); }
    }, { signal });
    this.addEventListener("tessera-state-overlay-retried", () => this.refresh(), { signal });
    this.#follow();
    this.refresh();
  }

  disconnected() {
    this.#unfollow();
    this.#abort?.abort();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    super.attributeChangedCallback(name, oldValue, newValue);
    if (oldValue === newValue || !this.isConnected) return;
    if (name === "range-minutes" || SCOPE_ATTRIBUTES.includes(name)) {
      this.#points = [];
      this.#visitors = null;
      this.#parts.chart.reset();
      this.refresh();
    }
    if (name === "site" || name === "data-api" || name === "stream" || name === "refresh-seconds") this.#follow();
  }

  /** Fetch now (also what the standalone page and tests call). */
  async refresh() {
    if (!this.isConnected) return;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const client = clientFor(this);
    const site = this.site;
    const window = seriesWindow(this.getAttribute("from"), this.getAttribute("to")) ?? { ...timeWindow(this.rangeMinutes), interval: "1m" };
    const { page, ...filters } = scopeFilters(this);
    const scope = { ...(page ? { path: page } : {}), ...filters };
    const chart = this.#parts.chart;
    await chart.load(async () => {
      const [series, range] = await Promise.all([
        client.query("pageviews", { site, ...window, ...scope }, { signal: abort.signal }),
        client.query("visitors", { site, from: window.from, to: window.to, ...scope }, { signal: abort.signal }),
      ]);
      if (site !== this.site) throw Object.assign(new Error("site changed"), { name: "AbortError" });
      this.#points = series.rows;
      this.#visitors = Number(range.body?.visitors);
      // An all-zero range is the empty state, not a flat chart.
      return { rows: totals(series.rows).views > 0 ? series.rows : [], watermark: series.watermark };
    });
    if (this.#abort === abort) this.#abort = null;
    this.queueRender();
  }

  #follow() {
    this.#unfollow();
    const client = clientFor(this);
    const pollMs = this.refreshSeconds * 1000;
    // a poll or stream refresh waits for the one in flight (a hung service must end in the
    // error state at the client's timeout, not be aborted by the next poll for ever)
    const idle = () => { if (!this.#abort) this.refresh(); };
    this.#subscriptions.push(client.subscribe("pageviews", {}, idle, { stream: false, pollMs }));
    if (this.stream) {
      // The query service names its events "minute" (a bucket changed); one reload a second at most.
      const changed = (update) => {
        if (update.via === "poll") return;
        const now = Date.now();
        if (now - this.#lastStreamReload > 1000) {
          this.#lastStreamReload = now;
          idle();
        }
      };
      this.#subscriptions.push(client.subscribe("stream", { site: this.site }, changed, { events: ["minute", "message"], pollMs }));
    }
  }

  #unfollow() {
    for (const subscription of this.#subscriptions) subscription.close();
    this.#subscriptions = [];
  }

  render() {
    const { site, range, views, visitors, chart, status } = this.#parts;
    site.textContent = this.site;
    const window = seriesWindow(this.getAttribute("from"), this.getAttribute("to"));
    const filters = scopeLabel(this);
    range.textContent = [window ? window.label : `last ${this.rangeMinutes} min · per minute`, filters].filter(Boolean).join(" · ");
    range.classList.toggle("filtered", Boolean(filters));
    chart.interval = window?.interval ?? "1m";
    chart.emptyText = `Nothing recorded for ${this.site} in the last ${this.rangeMinutes} minutes.`;
    if (this.theme) chart.theme = this.theme;
    else chart.removeAttribute("theme");
    const hasPoints = this.#points.length > 0;
    views.textContent = hasPoints ? formatNumber(totals(this.#points).views) : "–";
    visitors.textContent = hasPoints && Number.isFinite(this.#visitors) ? formatNumber(this.#visitors) : "–";
    const watermark = chart.watermark ? clockTime(chart.watermark) : "";
    const failed = Boolean(chart.error && hasPoints);
    status.classList.toggle("warning", failed);
    status.textContent = failed ? `Refresh failed (${chart.error}); retrying` : watermark ? `data complete up to ${watermark}` : "";
  }
}

PageViewsElement.defineProperties();
