export * from "./state-overlay.js";
