export * from "./kpi-tiles.js";
