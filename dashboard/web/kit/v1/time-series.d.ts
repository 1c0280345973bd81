import { DataElement } from "./data-element.js";
import type { TimeRangePayload } from "./topics.js";

export interface SeriesSpec { key: string; label?: string; style?: "line" | "bars" | "area" }
export interface TimePoint { t: string | number; [key: string]: unknown }

/** <tessera-time-series>: uPlot chart; a click emits tessera-time-series-selected, a drag `emitTopic` (time.range). */
export declare class TimeSeriesElement extends DataElement<TimePoint> {
  series: SeriesSpec[] | null;
  timeKey: string;
  interval: string;
  emitTopic: string;
  readonly effectiveSeries: SeriesSpec[];
  /** The uPlot instance, once drawn (uPlot, /kit/v1/uplot.js, is imported when there is first data: until then dataState is "loading"). */
  readonly chart: unknown;
}

declare global {
  interface HTMLElementTagNameMap { "tessera-time-series": TimeSeriesElement }
  interface HTMLElementEventMap {
    "tessera-time-series-selected": CustomEvent<{ t: string; values: Record<string, number | null> }>;
    "time.range": CustomEvent<TimeRangePayload>;
  }
}
