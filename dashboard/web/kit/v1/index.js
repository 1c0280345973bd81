// The whole kit in one import: every element defined, the data client and the helpers.
// (Import single modules, e.g. /kit/v1/table.js, to load less.)
export { BarListElement } from "./bar-list.js";
export { KpiTilesElement } from "./kpi-tiles.js";
export { StateOverlayElement } from "./state-overlay.js";
export { TableElement } from "./table.js";
export { TimeSeriesElement } from "./time-series.js";
export { DataClient, QueryError, buildUrl, clientFor, openStreams, query, resolveBase, subscribe } from "./data-client.js";
export { DataElement } from "./data-element.js";
export { KitElement } from "./kit-element.js";
export { change, clockTime, formatDuration, formatNumber, formatPercent, formatValue, isStale, warmFormats } from "./format.js";
export { payloadFor, sortRows } from "./rows.js";
export { TOPICS } from "./topics.js";
export { cssValue, sheetFor, themeCss, watchDocumentTheme } from "./theme.js";
export const KIT_VERSION = "1.0.0";
