// <tessera-time-series>: one or more series over time, drawn with uPlot (./uplot.js, imported
// when there is first something to draw; until it is in, the element stays "loading").
//
// Property rows: [{t, <key>: number, …}] (t: ISO time, epoch seconds or milliseconds).
// Attributes: series (JSON: [{key, label, style: "line" | "bars" | "area"}]; default: every
// numeric field as a line), time-key (default "t"), interval (e.g. "1m", added to range
// payloads), emit-topic (e.g. "time.range": a drag over the chart emits {from, to, interval}),
// plus the data-state attributes. Colours: --kit-series-1…4. Under 100 px high the legend row
// (keys and hover readout) gives way to the plot.
// Events (bubbling, composed): tessera-time-series-selected {t, values} on a click,
// the `emit-topic` with {from, to, interval} on a drag.

import { DataElement, dataProperties } from "./data-element.js";
import { formatNumber } from "./format.js";
import { numericKeys, rangePayload, toColumns } from "./series.js";
import { cssValue, sheetFor } from "./theme.js";

const LEGEND = 22;
const SHORT = 100; // px: below this height, no legend row
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];
const css = `
:host { display: block; position: relative; height: 100%; min-height: 140px; contain: strict; container-type: size; }
.plot { position: absolute; inset: 0 0 ${LEGEND}px 0; overflow: hidden; }
.legend { position: absolute; left: 0; right: 0; bottom: 0; height: ${LEGEND}px; display: flex; gap: 14px; align-items: center;
  padding: 0 6px; font-size: 11.5px; color: var(--kit-fg-2); white-space: nowrap; overflow: hidden; }
.key::before { content: ""; display: inline-block; width: 10px; height: 3px; border-radius: 2px; margin-right: 5px;
  vertical-align: middle; background: var(--color); }
.key.bars::before, .key.area::before { height: 9px; width: 9px; opacity: .8; }
.keys { display: flex; gap: 14px; }
.readout { margin-left: auto; font-variant-numeric: tabular-nums; }
.u-legend { display: none; }
.u-over { cursor: crosshair; }
.u-select { background: var(--kit-accent-soft); }
/* a short chart gives its legend's row to the plot (the hover readout goes with it) */
@container (max-height: ${SHORT}px) { .legend { display: none; } .plot { bottom: 0; } }
`;
// uPlot, once ./uplot.js is in (one import for the page, started by the first chart with points)
let uPlot = null;
let uplotSheet = null;
let loading = null;
function loadUplot() {
  loading ??= import("./uplot.js").then((module) => {
    uPlot = module.default;
    uplotSheet = sheetFor(module.uplotCss);
  });
  return loading;
}

// A chart on the page: uPlot is imported in the first idle moment (typically while the widgets'
// first queries are in flight), or at once when points arrive first.
let warming = false;
function warmUplot() {
  if (warming) return;
  warming = true;
  const start = () => loadUplot().catch(() => {}); // a failure is reported by the chart that needs it
  if (globalThis.requestIdleCallback) requestIdleCallback(start, { timeout: 500 });
  else setTimeout(start, 0);
}

// made on first use (see format.js: a page's first Intl formatter is slow to make)
let axisFormats = null;
const formats = () => (axisFormats ??= {
  hoursMinutes: new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
  dayMonth: new Intl.DateTimeFormat("en", { month: "short", day: "numeric" }),
});

export class TimeSeriesElement extends DataElement {
  static css = css;
  static properties = {
    ...dataProperties,
    series: { type: "json", default: null },
    "time-key": { type: "string", default: "t" },
    interval: { type: "string", default: "" },
    "emit-topic": { type: "string", default: "" },
  };

  #parts;
  #failed = false; // the chart library could not be imported
  #chart = null;
  #shape = "";
  #columns = [[]];

  constructor() {
    super();
    this.shadowRoot.innerHTML = `
      <div class="plot" part="plot"></div>
      <div class="legend" part="legend"><span class="keys"></span><span class="readout"></span></div>
      <tessera-state-overlay></tessera-state-overlay>`;
    const $ = (selector) => this.shadowRoot.querySelector(selector);
    this.#parts = { plot: $(".plot"), keys: $(".keys"), readout: $(".readout"), state: $("tessera-state-overlay") };
  }

  /** The uPlot instance (null before data arrives). */
  get chart() {
    return this.#chart;
  }

  get effectiveSeries() {
    const declared = Array.isArray(this.series) ? this.series.filter((s) => s && s.key) : null;
    if (declared?.length) return declared;
    return numericKeys(this.rows, this.timeKey).map((key) => ({ key, label: key, style: "line" }));
  }

  connected() {
    warmUplot();
  }

  disconnected() {
    this.#chart?.destroy();
    this.#chart = null;
    this.#shape = "";
  }

  themeChanged() {
    this.#shape = ""; // colours are read when the chart is built
    this.queueRender();
  }

  resized() {
    if (this.#chart) this.#chart.setSize(this.#size());
  }

  /** "loading" while the chart library is on its way, then as for any data element. */
  get dataState() {
    const state = super.dataState;
    if (state !== "ready" || uPlot) return state;
    return this.#failed ? "error" : "loading";
  }

  render() {
    const series = this.effectiveSeries;
    this.#columns = toColumns(this.rows, this.timeKey, series.map((s) => s.key));
    const hasPoints = this.#columns[0].length > 0;
    this.#renderLegend(series);
    if (hasPoints && !uPlot) {
      if (!this.#failed) {
        loadUplot().then(() => this.queueRender(), (error) => {
          this.#failed = true;
          this.error = `the chart library did not load (${error?.message ?? error})`;
        });
      }
      this.renderState(this.#parts.state);
      return;
    }
    if (uplotSheet && !this.shadowRoot.adoptedStyleSheets.includes(uplotSheet)) {
      this.shadowRoot.adoptedStyleSheets = [...this.shadowRoot.adoptedStyleSheets, uplotSheet];
    }
    const shape = JSON.stringify([series, this.theme, document.documentElement.dataset.theme ?? ""]);
    if (!hasPoints) {
      this.disconnected();
    } else if (this.#chart && shape === this.#shape) {
      this.#chart.setData(this.#columns);
    } else {
      this.#chart?.destroy();
      this.#shape = shape;
      this.#chart = new uPlot(this.#options(series), this.#columns, this.#parts.plot);
      this.#chart.over.addEventListener("click", () => this.#clicked());
    }
    this.renderState(this.#parts.state, "No data points in this period.");
  }

  #renderLegend(series) {
    this.#parts.keys.replaceChildren(...series.map((s, i) => {
      const key = document.createElement("span");
      key.className = `key ${s.style ?? "line"}`;
      key.style.setProperty("--color", `var(--kit-series-${(i % 4) + 1})`);
      key.textContent = s.label ?? s.key;
      return key;
    }));
  }

  #size() {
    const plot = this.#parts.plot;
    return { width: Math.max(80, plot.clientWidth), height: Math.max(40, plot.clientHeight) };
  }

  #options(series) {
    const colour = (i) => cssValue(this, `--kit-series-${(i % 4) + 1}`, "#5794f2");
    const muted = cssValue(this, "--kit-fg-2", "#8e9297");
    const grid = cssValue(this, "--kit-grid", "rgba(128,128,128,.1)");
    const font = `11px ${cssValue(this, "--kit-font", "system-ui")}`;
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font };
    const spanDays = (u) => (u.scales.x.max - u.scales.x.min) / 86400;
    const bars = uPlot.paths.bars({ size: [0.72, 48], gap: 1 });
    const hasBars = series.some((s) => s.style === "bars");
    return {
      ...this.#size(),
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 7 } },
      select: { show: true },
      scales: {
        x: { time: true, range: hasBars ? (u, min, max) => [min - 30, max + 30] : undefined },
        y: { range: (u, min, max) => [0, Math.max(4, Math.ceil((max ?? 0) * 1.1))] },
      },
      axes: [
        { ...axis, size: 30, values: (u, splits) => splits.map((s) => (spanDays(u) > 2 ? formats().dayMonth : formats().hoursMinutes).format(new Date(s * 1000))) },
        { ...axis, size: 48, incrs: COUNT_STEPS, values: (u, splits) => splits.map(formatNumber) },
      ],
      series: [{}, ...series.map((s, i) => {
        const stroke = colour(i);
        const style = s.style ?? "line";
        return {
          label: s.label ?? s.key, stroke, width: style === "bars" ? 1 : 2, points: { show: false },
          fill: style === "bars" ? `${stroke}a6` : style === "area" ? `${stroke}26` : undefined,
          paths: style === "bars" ? bars : undefined,
        };
      })],
      hooks: {
        setCursor: [(u) => this.#readout(u.cursor.idx)],
        setSelect: [(u) => this.#selected(u)],
      },
    };
  }

  #point(index) {
    if (index === null || index === undefined || index < 0 || index >= this.#columns[0].length) return null;
    const values = {};
    this.effectiveSeries.forEach((s, i) => { values[s.key] = this.#columns[i + 1][index]; });
    return { t: new Date(this.#columns[0][index] * 1000).toISOString(), values };
  }

  #readout(index) {
    const point = this.#point(index);
    this.#parts.readout.textContent = point
      ? `${formats().hoursMinutes.format(new Date(point.t))} · ${this.effectiveSeries.map((s) => `${formatNumber(point.values[s.key])} ${s.label ?? s.key}`).join(" · ")}`
      : "";
  }

  #clicked() {
    const point = this.#point(this.#chart?.cursor.idx);
    if (point) this.emit("tessera-time-series-selected", point);
  }

  #selected(u) {
    if (!u.select.width || u.select.width < 4) return;
    const from = u.posToVal(u.select.left, "x");
    const to = u.posToVal(u.select.left + u.select.width, "x");
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (this.emitTopic) this.emit(this.emitTopic, rangePayload(from, to, this.interval || undefined));
  }
}

TimeSeriesElement.defineProperties();
