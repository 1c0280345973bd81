// <tessera-page-views>: page views and unique visitors per minute for one site, drawn with uPlot.
//
// Attributes are the source of truth (properties reflect them):
//   site            the site to show (default "demo.local")
//   range-minutes   how far back to look (default 30)
//   data-api        base URL of the metrics API (property dataApi)
//   theme           "dark" | "light"
//   refresh-seconds polling period (default 5)
//   stream          if present, also refresh on the metrics SSE stream ({data-api}/stream)
// Emits  page-views-bucket-selected {t, views, visitors, site}  when a minute is clicked.
// Accepts site-selected {site}  via a `tessera-message` event or the `lastMessage` property.

import uPlot from "uplot";
import uplotCss from "uplot/dist/uPlot.min.css";
import { clockTime, pageviewsUrl, timeWindow, toColumns, totals, visitorsUrl } from "./page-views-data.js";
import { PALETTES, widgetCss } from "./page-views-style.js";

const DEFAULT_SITE = "demo.local";
// y-axis steps: whole numbers only (counts), 1-2-5 per decade.
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];
const DEFAULT_RANGE = 30;
const DEFAULT_REFRESH = 5;
const FETCH_TIMEOUT_MS = 8000;
const numbers = new Intl.NumberFormat();
const hoursMinutes = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit", hour12: false });
const shortTime = (seconds) => hoursMinutes.format(new Date(seconds * 1000));

const template = `
  <div class="pv" part="container">
    <header class="head">
      <div class="title"><div class="site"></div><div class="range"></div></div>
      <div class="totals">
        <div class="total views"><span class="n">–</span> <span class="unit">views</span></div>
        <div class="total visitors" title="Unique visitors over the whole range"><span class="n">–</span> <span class="unit">visitors</span></div>
      </div>
    </header>
    <div class="plot"><div class="overlay" hidden><div class="message"></div></div></div>
    <footer class="foot">
      <span class="legend"><span class="key views">views / min</span><span class="key visitors">visitors / min</span></span>
      <span class="readout"></span>
      <span class="status"></span>
    </footer>
  </div>`;

function sheet(css) {
  const styleSheet = new CSSStyleSheet();
  styleSheet.replaceSync(css);
  return styleSheet;
}

let sharedSheets;

export class PageViewsElement extends HTMLElement {
  static observedAttributes = ["site", "range-minutes", "data-api", "theme", "refresh-seconds", "stream"];

  #root;
  #parts;
  #chart = null;
  #chartTheme = null;
  #columns = [[], [], []];
  #body = null;
  #range = null;
  #error = null;
  #loading = true;
  #renderQueued = false;
  #reloadQueued = false;
  #timer = null;
  #abort = null;
  #resize = null;
  #stream = null;
  #lastMessage = null;
  #connected = false;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    sharedSheets ??= [sheet(uplotCss), sheet(widgetCss)];
    this.#root.adoptedStyleSheets = sharedSheets;
    this.#root.innerHTML = template;
    const $ = (selector) => this.#root.querySelector(selector);
    this.#parts = {
      site: $(".site"), range: $(".range"), views: $(".views .n"), visitors: $(".visitors .n"),
      plot: $(".plot"), overlay: $(".overlay"), message: $(".overlay .message"),
      readout: $(".readout"), status: $(".status"),
    };
    this.onMessage = this.onMessage.bind(this);
    this.onVisibility = this.onVisibility.bind(this);
  }

  // ---- attributes ↔ properties -------------------------------------------------------
  get site() { return this.getAttribute("site") || DEFAULT_SITE; }
  set site(value) { this.setAttribute("site", String(value)); }

  get rangeMinutes() {
    const value = Number.parseInt(this.getAttribute("range-minutes") ?? "", 10);
    return Number.isFinite(value) && value > 0 ? Math.min(value, 24 * 60) : DEFAULT_RANGE;
  }
  set rangeMinutes(value) { this.setAttribute("range-minutes", String(value)); }

  get dataApi() { return this.getAttribute("data-api") || ""; }
  set dataApi(value) { this.setAttribute("data-api", String(value)); }

  get theme() { return this.getAttribute("theme") === "light" ? "light" : "dark"; }
  set theme(value) { this.setAttribute("theme", value === "light" ? "light" : "dark"); }

  get refreshSeconds() {
    const value = Number.parseFloat(this.getAttribute("refresh-seconds") ?? "");
    return Number.isFinite(value) && value >= 1 ? value : DEFAULT_REFRESH;
  }
  set refreshSeconds(value) { this.setAttribute("refresh-seconds", String(value)); }

  get stream() { return this.hasAttribute("stream"); }
  set stream(value) { this.toggleAttribute("stream", Boolean(value)); }

  get lastMessage() { return this.#lastMessage; }
  set lastMessage(message) { this.#receive(message); }

  // ---- lifecycle ----------------------------------------------------------------------
  connectedCallback() {
    this.#connected = true;
    this.addEventListener("tessera-message", this.onMessage);
    document.addEventListener("visibilitychange", this.onVisibility);
    this.#resize = new ResizeObserver(() => this.#fitChart());
    this.#resize.observe(this.#parts.plot);
    this.#restartTimer();
    this.#restartStream();
    this.#queueReload();
  }

  disconnectedCallback() {
    this.#connected = false;
    this.removeEventListener("tessera-message", this.onMessage);
    document.removeEventListener("visibilitychange", this.onVisibility);
    this.#resize?.disconnect();
    this.#resize = null;
    clearInterval(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    this.#stream?.close();
    this.#stream = null;
    this.#chart?.destroy();
    this.#chart = null;
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.#connected) return;
    if (name === "site" || name === "range-minutes" || name === "data-api") {
      this.#columns = [[], [], []];
      this.#body = null;
      this.#range = null;
      this.#loading = true;
      this.#queueReload();
      if (name !== "range-minutes") this.#restartStream();
    } else if (name === "refresh-seconds") {
      this.#restartTimer();
    } else if (name === "stream") {
      this.#restartStream();
    }
    this.#queueRender();
  }

  onMessage(event) {
    this.#receive(event.detail);
  }

  onVisibility() {
    if (!document.hidden) this.#queueReload();
  }

  /** Fetch now (also what the standalone page and tests call). */
  async refresh() {
    const api = this.dataApi;
    if (!api) {
      this.#fail("No data API configured: set the data-api attribute.");
      return;
    }
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const timeout = setTimeout(() => abort.abort(new DOMException("timed out", "TimeoutError")), FETCH_TIMEOUT_MS);
    const site = this.site;
    try {
      const window = timeWindow(this.rangeMinutes);
      const get = async (url) => {
        const response = await fetch(url, { signal: abort.signal, headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(`the metrics API answered HTTP ${response.status}`);
        return response.json();
      };
      const [body, range] = await Promise.all([get(pageviewsUrl(api, site, window)), get(visitorsUrl(api, site, window))]);
      if (abort.signal.aborted || site !== this.site) return;
      this.#body = body;
      this.#range = range;
      this.#columns = toColumns(body.points);
      this.#error = null;
    } catch (error) {
      if (abort.signal.aborted && abort.signal.reason?.name !== "TimeoutError") return;
      this.#error = abort.signal.aborted ? "the metrics API did not answer in time" : error.message;
    } finally {
      clearTimeout(timeout);
      if (this.#abort === abort) this.#abort = null;
    }
    this.#loading = false;
    this.#queueRender();
  }

  // ---- internals ----------------------------------------------------------------------
  #receive(message) {
    if (!message || typeof message !== "object") return;
    this.#lastMessage = message;
    const site = message.payload?.site;
    if (message.topic === "site-selected" && typeof site === "string" && site) this.site = site;
  }

  #fail(message) {
    this.#error = message;
    this.#loading = false;
    this.#queueRender();
  }

  #queueReload() {
    if (this.#reloadQueued) return;
    this.#reloadQueued = true;
    queueMicrotask(() => {
      this.#reloadQueued = false;
      if (this.#connected) this.refresh();
    });
  }

  #queueRender() {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    queueMicrotask(() => {
      this.#renderQueued = false;
      if (this.#connected) this.#render();
    });
  }

  #restartTimer() {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => {
      if (!document.hidden) this.refresh();
    }, this.refreshSeconds * 1000);
  }

  #restartStream() {
    this.#stream?.close();
    this.#stream = null;
    if (!this.stream || !this.dataApi || typeof EventSource === "undefined") return;
    const source = new EventSource(`${this.dataApi.replace(/\/+$/, "")}/stream?site=${encodeURIComponent(this.site)}`);
    let last = 0;
    const changed = () => {
      const now = Date.now();
      if (now - last > 1000) {
        last = now;
        this.#queueReload();
      }
    };
    // The query service names its events ("minute" when a bucket changes); accept unnamed ones too.
    source.addEventListener("minute", changed);
    source.onmessage = changed;
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && this.#stream === source) this.#stream = null;
    };
    this.#stream = source;
  }

  #render() {
    const { site, range, views, visitors, overlay, message, status } = this.#parts;
    site.textContent = this.site;
    range.textContent = `last ${this.rangeMinutes} min · per minute`;
    const sums = totals(this.#columns);
    const hasPoints = this.#columns[0].length > 0;
    views.textContent = hasPoints ? numbers.format(sums.views) : "–";
    const unique = Number(this.#range?.visitors);
    visitors.textContent = hasPoints && Number.isFinite(unique) ? numbers.format(unique) : "–";

    const watermark = this.#body?.watermark ? clockTime(this.#body.watermark) : null;
    status.classList.toggle("warning", Boolean(this.#error && hasPoints));
    if (this.#error && hasPoints) status.textContent = `Refresh failed (${this.#error}); retrying`;
    else status.textContent = watermark ? `data complete up to ${watermark}` : "";

    let note = null;
    if (this.#loading && !hasPoints) note = ["", "Loading page views…"];
    else if (this.#error && !hasPoints) note = ["Page views unavailable", `${this.#error}. Retrying every ${this.refreshSeconds} s.`];
    else if (!hasPoints || sums.views === 0) note = ["No page views yet", `Nothing recorded for ${this.site} in the last ${this.rangeMinutes} minutes.`];
    overlay.hidden = note === null;
    overlay.classList.toggle("error", Boolean(this.#error && !hasPoints));
    if (note) message.innerHTML = `${note[0] ? "<strong></strong>" : ""}<span></span>`;
    if (note && note[0]) message.querySelector("strong").textContent = note[0];
    if (note) message.querySelector("span").textContent = note[1];

    this.#drawChart(hasPoints);
  }

  #drawChart(hasPoints) {
    if (!hasPoints) {
      this.#chart?.destroy();
      this.#chart = null;
      return;
    }
    if (this.#chart && this.#chartTheme === this.theme) {
      this.#chart.setData(this.#columns);
      return;
    }
    this.#chart?.destroy();
    this.#chartTheme = this.theme;
    this.#chart = new uPlot(this.#options(), this.#columns, this.#parts.plot);
    this.#chart.over.addEventListener("click", () => this.#select());
  }

  #options() {
    const palette = PALETTES[this.theme];
    const { width, height } = this.#size();
    const axis = {
      stroke: palette.muted, grid: { stroke: palette.grid, width: 1 }, ticks: { stroke: palette.grid, width: 1 },
      font: "11px system-ui, sans-serif",
    };
    const bars = uPlot.paths.bars({ size: [0.72, 48], gap: 1 });
    return {
      width, height, legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      scales: {
        x: { time: true, range: (u, min, max) => [min - 30, max + 30] }, // half a minute either side for the bars
        y: { range: (u, min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] },
      },
      axes: [
        { ...axis, values: (u, splits) => splits.map(shortTime) },
        { ...axis, size: 46, incrs: COUNT_STEPS, values: (u, splits) => splits.map((v) => numbers.format(v)) },
      ],
      series: [
        {},
        { label: "Views", stroke: palette.views, fill: `${palette.views}8c`, width: 1, paths: bars, points: { show: false } },
        { label: "Visitors", stroke: palette.visitors, width: 2, points: { show: false } },
      ],
      hooks: { setCursor: [(u) => this.#showReadout(u.cursor.idx)] },
    };
  }

  #size() {
    const plot = this.#parts.plot;
    return { width: Math.max(120, plot.clientWidth), height: Math.max(60, plot.clientHeight) };
  }

  #fitChart() {
    if (this.#chart) this.#chart.setSize(this.#size());
  }

  #bucket(index) {
    if (index == null || index < 0 || index >= this.#columns[0].length) return null;
    return {
      t: new Date(this.#columns[0][index] * 1000).toISOString(),
      views: this.#columns[1][index],
      visitors: this.#columns[2][index],
      site: this.site,
    };
  }

  #showReadout(index) {
    const bucket = this.#bucket(index);
    this.#parts.readout.textContent = bucket
      ? `${clockTime(bucket.t)} · ${numbers.format(bucket.views)} views · ${numbers.format(bucket.visitors)} visitors`
      : "";
  }

  #select() {
    const bucket = this.#bucket(this.#chart?.cursor.idx);
    if (!bucket) return;
    this.dispatchEvent(new CustomEvent("page-views-bucket-selected", { detail: bucket, bubbles: true, composed: true }));
  }
}
