// <tessera-table>: a sortable, keyboard-navigable table whose rows can be selected.
//
// Attributes: columns (JSON: [{key, label, type: "text" | "number" | "percent" | "duration", width}]),
// sort ("views:desc"), row-key (the row field that identifies a row; default the first column),
// selected (the selected row's key), emit-topic (e.g. "page.selected"), emit-field (the payload
// field the row key goes into, e.g. "path"), caption, plus the data-state attributes.
// Properties: rows, extraPayload (fields added to every payload, e.g. {site}).
// Keys: ↑/↓/Home/End/PageUp/PageDown move, Enter/Space select (the selected row again clears), Escape
// clears; headers sort on click/Enter. A cleared selection emits the topic with a null value.
// Events (bubbling, composed): the `emit-topic` with the payload, tessera-table-selected
// {row, key, payload}, tessera-table-sorted {key, direction}.

import { DataElement, dataProperties } from "./data-element.js";
import { formatValue } from "./format.js";
import { formatSort, nextIndex, parseSort, payloadFor, sortRows, toggleSort } from "./rows.js";

const css = `
:host { display: block; position: relative; height: 100%; min-height: 120px; contain: strict; }
.scroll { position: absolute; inset: 0; overflow: auto; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-variant-numeric: tabular-nums; }
caption { text-align: left; padding: 0 8px 4px; color: var(--kit-fg-2); font-size: 12px; }
th { position: sticky; top: 0; z-index: 1; background: var(--kit-bg); text-align: left; font-weight: 600;
  font-size: 11.5px; color: var(--kit-fg-2); border-bottom: 1px solid var(--kit-border); padding: 0; }
th.num, td.num { text-align: right; }
th button { all: unset; box-sizing: border-box; display: block; width: 100%; padding: 6px 8px; cursor: pointer; }
th button:focus-visible { outline: 2px solid var(--kit-focus); outline-offset: -2px; }
th .arrow { display: inline-block; width: 1em; color: var(--kit-accent); }
td { padding: 5px 8px; border-bottom: 1px solid color-mix(in srgb, var(--kit-border) 60%, transparent);
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
tbody tr { cursor: pointer; outline: none; }
tbody tr:hover td { background: var(--kit-bg-2); }
tbody tr[aria-selected="true"] td { background: var(--kit-accent-soft); }
tbody tr[aria-selected="true"] td:first-child { box-shadow: inset 3px 0 0 var(--kit-accent); }
tbody tr:focus-visible td { box-shadow: inset 0 2px 0 var(--kit-focus), inset 0 -2px 0 var(--kit-focus); }
tbody tr:focus-visible td:first-child { box-shadow: inset 2px 2px 0 var(--kit-focus), inset 0 -2px 0 var(--kit-focus); }
`;

export class TableElement extends DataElement {
  static css = css;
  static properties = {
    ...dataProperties,
    columns: { type: "json", default: null },
    sort: { type: "string", default: "" },
    "row-key": { type: "string", default: "" },
    selected: { type: "string", default: null },
    "emit-topic": { type: "string", default: "" },
    "emit-field": { type: "string", default: "" },
    caption: { type: "string", default: "" },
  };

  extraPayload = {};
  #parts;
  #view = [];
  #focus = -1;

  constructor() {
    super();
    this.shadowRoot.innerHTML = `
      <div class="scroll" part="scroll">
        <table role="grid" aria-readonly="true"><caption hidden></caption><thead><tr></tr></thead><tbody></tbody></table>
      </div>
      <tessera-state-overlay></tessera-state-overlay>`;
    const $ = (selector) => this.shadowRoot.querySelector(selector);
    this.#parts = { table: $("table"), caption: $("caption"), head: $("thead tr"), body: $("tbody"), state: $("tessera-state-overlay") };
  }

  /** The columns in use: the attribute's, or one per field of the first row. */
  get effectiveColumns() {
    const declared = Array.isArray(this.columns) ? this.columns.filter((c) => c && c.key) : null;
    if (declared?.length) return declared;
    const first = this.rows[0] ?? {};
    return Object.keys(first).map((key) => ({ key, label: key, type: typeof first[key] === "number" ? "number" : "text" }));
  }

  get effectiveRowKey() {
    return this.rowKey || this.effectiveColumns[0]?.key || "value";
  }

  /** The rows in display order. */
  get sortedRows() {
    return this.#view;
  }

  connected(signal) {
    const { head, body } = this.#parts;
    head.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-key]");
      if (button) this.sortBy(button.dataset.key);
    }, { signal });
    body.addEventListener("click", (event) => {
      const row = event.target.closest("tr[data-index]");
      if (row) this.select(Number(row.dataset.index));
    }, { signal });
    body.addEventListener("keydown", (event) => this.#onKey(event), { signal });
    body.addEventListener("focusin", (event) => {
      const row = event.target.closest("tr[data-index]");
      if (row) this.#focus = Number(row.dataset.index);
    }, { signal });
  }

  /** Sort by a column (a new column starts descending; the same column flips). */
  sortBy(key, direction) {
    const next = direction ? { key, direction } : toggleSort(parseSort(this.sort, this.#defaultSortKey()), key);
    this.sort = formatSort(next);
    this.emit("tessera-table-sorted", next);
  }

  /**
   * Select the row at `index` of the display order: sets `selected` and emits the topic.
   * The selected row again (or `clearSelection()`) clears it: the payload's field is null.
   */
  select(index) {
    const row = this.#view[index];
    if (!row) return;
    const key = row[this.effectiveRowKey];
    const text = key === null || key === undefined ? "" : String(key);
    this.#focus = index;
    if (this.selected === text) {
      this.clearSelection();
      return;
    }
    this.selected = text;
    const payload = payloadFor(row, { key: this.effectiveRowKey, field: this.emitField, extra: this.extraPayload });
    if (this.emitTopic) this.emit(this.emitTopic, payload);
    this.emit("tessera-table-selected", { row, key, payload });
  }

  /** Clear the selection and emit the topic with a null value (nothing to filter on). */
  clearSelection() {
    if (this.selected === null) return;
    this.selected = null;
    const payload = payloadFor({}, { key: this.effectiveRowKey, field: this.emitField, extra: this.extraPayload });
    if (this.emitTopic) this.emit(this.emitTopic, payload);
    this.emit("tessera-table-selected", { row: null, key: null, payload });
  }

  #defaultSortKey() {
    return this.effectiveColumns.find((c) => c.type && c.type !== "text")?.key ?? this.effectiveColumns[0]?.key ?? "";
  }

  #onKey(event) {
    if (event.key === "Escape" && this.selected !== null) {
      event.preventDefault();
      this.clearSelection();
      return;
    }
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.select(this.#focus < 0 ? 0 : this.#focus);
      return;
    }
    const next = nextIndex(event.key, this.#focus, this.#view.length);
    if (next === null) return;
    event.preventDefault();
    this.#moveFocus(next);
  }

  #moveFocus(index) {
    const rows = this.#parts.body.rows;
    if (!rows[index]) return;
    for (const row of rows) row.tabIndex = -1;
    rows[index].tabIndex = 0;
    rows[index].focus();
    this.#focus = index;
  }

  render() {
    const { table, caption, head, body, state } = this.#parts;
    const columns = this.effectiveColumns;
    const sort = parseSort(this.sort, this.#defaultSortKey());
    this.#view = sortRows(this.rows, sort.key, sort.direction);
    caption.hidden = !this.caption;
    caption.textContent = this.caption;
    table.setAttribute("aria-label", this.caption || "Table");

    head.replaceChildren(...columns.map((column) => {
      const th = document.createElement("th");
      th.className = column.type && column.type !== "text" ? "num" : "";
      if (column.width) th.style.width = typeof column.width === "number" ? `${column.width}px` : column.width;
      const active = column.key === sort.key;
      th.setAttribute("aria-sort", active ? (sort.direction === "asc" ? "ascending" : "descending") : "none");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.key = column.key;
      button.textContent = column.label ?? column.key;
      const arrow = document.createElement("span");
      arrow.className = "arrow";
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = active ? (sort.direction === "asc" ? "▲" : "▼") : "";
      if (th.className === "num") button.prepend(arrow);
      else button.append(arrow);
      th.append(button);
      return th;
    }));

    const rowKey = this.effectiveRowKey;
    const selected = this.selected;
    const focus = Math.min(this.#focus, this.#view.length - 1);
    const hadFocus = this.shadowRoot.activeElement?.closest?.("tbody") !== null && this.shadowRoot.activeElement !== null;
    body.replaceChildren(...this.#view.map((row, index) => {
      const tr = document.createElement("tr");
      tr.dataset.index = String(index);
      const isSelected = selected !== null && String(row[rowKey]) === selected;
      tr.setAttribute("aria-selected", String(isSelected));
      tr.tabIndex = index === (focus >= 0 ? focus : 0) ? 0 : -1;
      for (const column of columns) {
        const td = document.createElement("td");
        const type = column.type ?? "text";
        const value = row[column.key];
        td.className = type === "text" ? "" : "num";
        td.textContent = type === "text" ? String(value ?? "") : formatValue(value, type);
        if (type === "text") td.title = td.textContent;
        tr.append(td);
      }
      return tr;
    }));
    if (hadFocus && focus >= 0) body.rows[focus]?.focus();
    this.renderState(state);
  }
}

TableElement.defineProperties();
