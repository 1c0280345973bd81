import { DataElement } from "./data-element.js";
import type { Format } from "./format.js";
import type { Row } from "./rows.js";

export interface TableColumn {
  key: string;
  label?: string;
  type?: "text" | Format;
  width?: number | string;
}

export interface TableSelectedDetail<R extends object = Row> { row: R | null; key: unknown; payload: Row }

/** <tessera-table>: sortable, keyboard-navigable, selectable rows that emit `emitTopic`. */
export declare class TableElement<R extends object = Row> extends DataElement<R> {
  columns: TableColumn[] | null;
  /** "views:desc" */
  sort: string;
  rowKey: string;
  selected: string | null;
  /** e.g. "page.selected" */
  emitTopic: string;
  /** The payload field the row key goes into, e.g. "path". */
  emitField: string;
  caption: string;
  /** Fields added to every payload (e.g. {site}). */
  extraPayload: Row;
  readonly effectiveColumns: TableColumn[];
  readonly sortedRows: R[];
  sortBy(key: string, direction?: "asc" | "desc"): void;
  /** Select a row of the display order; the selected row again clears. */
  select(index: number): void;
  /** Clear the selection; the topic is emitted with a null value. */
  clearSelection(): void;
}

declare global {
  interface HTMLElementTagNameMap { "tessera-table": TableElement }
  interface HTMLElementEventMap {
    "tessera-table-selected": CustomEvent<TableSelectedDetail>;
    "tessera-table-sorted": CustomEvent<{ key: string; direction: "asc" | "desc" }>;
  }
}
