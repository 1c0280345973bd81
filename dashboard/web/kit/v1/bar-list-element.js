// <tessera-bar-list>: label, value and a share bar per row (Plausible's "Top pages" look),
// largest first; a row is a button that selects it and emits a declared topic.
//
// Attributes: label-key (default "value"), value-key (default "views"), value-label (the value
// column's heading, default "Views"), label-heading (default "Name"), max-rows (default 10),
// format ("number" | "percent" | "duration"), selected, emit-topic, emit-field, plus the
// data-state attributes. Properties: rows, extraPayload.
// Keys: ↑/↓/Home/End move between rows, Enter/Space select (the selected row again clears), Escape clears.
// Events (bubbling, composed): the `emit-topic` with the payload, tessera-bar-list-selected {row, key, payload}.

import { DataElement, dataProperties } from "./data-element.js";
import { formatPercent, formatValue } from "./format.js";
import { nextIndex, payloadFor, sortRows } from "./rows.js";

const css = `
:host { display: block; position: relative; height: 100%; min-height: 120px; contain: strict; }
.scroll { position: absolute; inset: 0; overflow: auto; padding: 2px 4px; container-type: inline-size; }
.head { display: flex; justify-content: space-between; padding: 4px 8px 6px; font-size: 11.5px; font-weight: 600;
  color: var(--kit-fg-2); }
ol { list-style: none; margin: 0; padding: 0; }
li { margin: 0 0 3px; }
button { all: unset; box-sizing: border-box; position: relative; display: flex; align-items: center; gap: 12px;
  width: 100%; height: 28px; padding: 0 8px; border-radius: 4px; cursor: pointer; font-variant-numeric: tabular-nums; }
.bar { position: absolute; inset: 0 auto 0 0; border-radius: 4px; background: var(--kit-bar); transition: width .25s ease; }
@media (prefers-reduced-motion: reduce) { .bar { transition: none; } }
.label { position: relative; flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.value { position: relative; flex: none; min-width: 4.5em; text-align: right; font-weight: 600; }
.share { position: relative; flex: none; width: 3.6em; text-align: right; color: var(--kit-fg-3); font-size: 11.5px; }
@container (max-width: 280px) { .share { display: none; } .value { min-width: 3em; } }
button:hover .bar { filter: brightness(1.25); }
button[aria-pressed="true"] .bar { background: var(--kit-accent-soft); box-shadow: inset 3px 0 0 var(--kit-accent); }
button:focus-visible { outline: 2px solid var(--kit-focus); outline-offset: -2px; }
`;

export class BarListElement extends DataElement {
  static css = css;
  static properties = {
    ...dataProperties,
    "label-key": { type: "string", default: "value" },
    "value-key": { type: "string", default: "views" },
    "label-heading": { type: "string", default: "Name" },
    "value-label": { type: "string", default: "Views" },
    "max-rows": { type: "number", default: 10, min: 1 },
    format: { type: "string", default: "number" },
    selected: { type: "string", default: null },
    "emit-topic": { type: "string", default: "" },
    "emit-field": { type: "string", default: "" },
  };

  extraPayload = {};
  #parts;
  #view = [];

  constructor() {
    super();
    this.shadowRoot.innerHTML = `
      <div class="scroll" part="scroll">
        <div class="head" aria-hidden="true"><span class="name"></span><span class="heading"></span></div>
        <ol></ol>
      </div>
      <tessera-state-overlay></tessera-state-overlay>`;
    const $ = (selector) => this.shadowRoot.querySelector(selector);
    this.#parts = { name: $(".name"), heading: $(".heading"), list: $("ol"), state: $("tessera-state-overlay") };
  }

  get visibleRows() {
    return this.#view;
  }

  connected(signal) {
    const { list } = this.#parts;
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-index]");
      if (button) this.select(Number(button.dataset.index));
    }, { signal });
    list.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.selected !== null) {
        event.preventDefault();
        this.clearSelection();
        return;
      }
      const buttons = [...list.querySelectorAll("button")];
      const next = nextIndex(event.key, buttons.indexOf(this.shadowRoot.activeElement), buttons.length);
      if (next === null) return;
      event.preventDefault();
      for (const button of buttons) button.tabIndex = -1;
      buttons[next].tabIndex = 0; // one tab stop for the list (roving tabindex)
      buttons[next].focus();
    }, { signal });
  }

  /** Select the row at `index` (the selected row again clears: the payload's field is null). */
  select(index) {
    const row = this.#view[index];
    if (!row) return;
    const key = row[this.labelKey];
    const text = key === null || key === undefined ? "" : String(key);
    if (this.selected === text) {
      this.clearSelection();
      return;
    }
    this.selected = text;
    const payload = payloadFor(row, { key: this.labelKey, field: this.emitField, extra: this.extraPayload });
    if (this.emitTopic) this.emit(this.emitTopic, payload);
    this.emit("tessera-bar-list-selected", { row, key, payload });
  }

  clearSelection() {
    if (this.selected === null) return;
    this.selected = null;
    const payload = payloadFor({}, { key: this.labelKey, field: this.emitField, extra: this.extraPayload });
    if (this.emitTopic) this.emit(this.emitTopic, payload);
    this.emit("tessera-bar-list-selected", { row: null, key: null, payload });
  }

  render() {
    const { name, heading, list, state } = this.#parts;
    const valueKey = this.valueKey;
    this.#view = sortRows(this.rows, valueKey, "desc").slice(0, this.maxRows);
    const total = this.rows.reduce((sum, row) => sum + (Number(row[valueKey]) || 0), 0);
    const max = Math.max(0, ...this.#view.map((row) => Number(row[valueKey]) || 0));
    name.textContent = this.labelHeading;
    heading.textContent = this.valueLabel;
    const focused = this.shadowRoot.activeElement?.dataset?.index;
    const selectedIndex = this.#view.findIndex((row) => this.selected !== null && String(row[this.labelKey] ?? "") === this.selected);
    const tabStop = focused !== undefined ? Number(focused) : Math.max(0, selectedIndex);
    list.replaceChildren(...this.#view.map((row, index) => {
      const value = Number(row[valueKey]) || 0;
      const label = String(row[this.labelKey] ?? "");
      const item = document.createElement("li");
      item.innerHTML = `<button type="button"><span class="bar"></span><span class="label"></span><span class="value"></span><span class="share"></span></button>`;
      const button = item.firstElementChild;
      button.dataset.index = String(index);
      button.tabIndex = index === tabStop ? 0 : -1;
      button.setAttribute("aria-pressed", String(this.selected !== null && label === this.selected));
      button.querySelector(".bar").style.width = `${max > 0 ? Math.max(0.5, (value / max) * 100) : 0}%`;
      button.querySelector(".label").textContent = label || "(none)";
      button.querySelector(".label").title = label;
      button.querySelector(".value").textContent = formatValue(value, this.format);
      button.querySelector(".share").textContent = total > 0 && this.format === "number" ? formatPercent(value / total) : "";
      button.setAttribute("aria-label", `${label || "(none)"}: ${formatValue(value, this.format)}`);
      return item;
    }));
    if (focused !== undefined) list.querySelector(`button[data-index="${focused}"]`)?.focus();
    this.renderState(state);
  }
}

BarListElement.defineProperties();
