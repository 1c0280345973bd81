// uPlot and its stylesheet as one module of the kit, kept apart from the time series' own
// code: <tessera-time-series> imports it when it first has points to draw, so a widget's
// first query leaves without waiting for it (uPlot makes Intl formatters at import, and a
// page's first one costs 15–30 ms on a busy machine). The shell's page preloads it.

export { default } from "uplot";
export { default as uplotCss } from "uplot/dist/uPlot.min.css";
