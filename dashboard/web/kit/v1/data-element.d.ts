import { KitElement } from "./kit-element.js";
import type { Row } from "./rows.js";

export type DataState = "loading" | "empty" | "error" | "ready";

/** Data-state attributes shared by every visualization. */
export declare class DataElement<R extends object = Row> extends KitElement {
  rows: R[];
  loading: boolean;
  /** Why the last load failed ("" when it did not). */
  error: string;
  /** The data is complete up to this ISO time. */
  watermark: string;
  /** Seconds after which the watermark counts as stale (default 300). */
  staleAfter: number;
  loadingText: string;
  emptyTitle: string;
  emptyText: string;
  errorTitle: string;
  readonly dataState: DataState;
  /** Show a promise (or a function returning one) of `{rows, watermark}` or of rows. */
  load(source: Promise<{ rows: R[]; watermark?: string | null } | R[]> | (() => Promise<{ rows: R[]; watermark?: string | null } | R[]>)): Promise<void>;
  reset(): void;
}
