// /kit/v1/kit.js: the kit's one module (built by build.mjs), every file but the time series.
export * from "./bar-list.js";
export * from "./data-client.js";
export * from "./data-element.js";
export * from "./format.js";
export * from "./kit-element.js";
export * from "./kpi-tiles.js";
export * from "./rows.js";
export * from "./state-overlay.js";
export * from "./table.js";
export * from "./theme.js";
export * from "./topics.js";
