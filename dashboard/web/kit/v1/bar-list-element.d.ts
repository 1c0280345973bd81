export * from "./bar-list.js";
