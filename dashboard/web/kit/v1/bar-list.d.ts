import { DataElement } from "./data-element.js";
import type { Format } from "./format.js";
import type { Row } from "./rows.js";

/** <tessera-bar-list>: label + value + share bar per row; a click selects and emits `emitTopic`. */
export declare class BarListElement<R extends object = Row> extends DataElement<R> {
  labelKey: string;
  valueKey: string;
  labelHeading: string;
  valueLabel: string;
  maxRows: number;
  format: Format;
  selected: string | null;
  emitTopic: string;
  emitField: string;
  extraPayload: Row;
  readonly visibleRows: R[];
  /** Select a row of the display order; the selected row again clears. */
  select(index: number): void;
  /** Clear the selection; the topic is emitted with a null value. */
  clearSelection(): void;
}

declare global {
  interface HTMLElementTagNameMap { "tessera-bar-list": BarListElement }
  interface HTMLElementEventMap { "tessera-bar-list-selected": CustomEvent<{ row: Row | null; key: unknown; payload: Row }> }
}
