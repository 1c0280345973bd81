// /kit/v1/index.js: the whole kit, kit.js and the time series.
export * from "./kit.js";
export * from "./time-series.js";
export declare const KIT_VERSION: string;
