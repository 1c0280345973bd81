import { DataElement } from "./data-element.js";
import type { Format } from "./format.js";

export interface KpiTile {
  key?: string;
  label: string;
  value: number | null;
  /** The same figure over the previous period (for the change). */
  previous?: number | null;
  format?: Format;
  /** Is a rise good news? (bounce rate: "down") */
  better?: "up" | "down";
  spark?: number[];
}

/** <tessera-kpi-tiles>: value, change against the previous period, sparkline. */
export declare class KpiTilesElement extends DataElement<KpiTile & Record<string, unknown>> {
  minTileWidth: number;
  comparison: string;
}

declare global {
  interface HTMLElementTagNameMap { "tessera-kpi-tiles": KpiTilesElement }
}
