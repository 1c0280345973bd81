// The base of the kit's visualizations: a `rows` property, the data-state attributes and a
// <tessera-state-overlay> over the content.
//
// Attributes: loading (boolean), error (why the last load failed), watermark (the data is
// complete up to this ISO time), stale-after (seconds, default 300), and the overlay's words:
// loading-text, empty-title, empty-text, error-title.
// `load(promise)` does the bookkeeping: loading while it runs, then rows + watermark, or the
// error (older rows stay shown under a "refresh failed" banner).

import { KitElement } from "./kit-element.js";
import { rowsOf } from "./rows.js";
import "./state-overlay.js";

export const dataProperties = {
  loading: { type: "boolean" },
  error: { type: "string", default: "" },
  watermark: { type: "string", default: "" },
  "stale-after": { type: "number", default: 300, min: 0 },
  "empty-text": { type: "string", default: "" },
  "empty-title": { type: "string", default: "" },
  "error-title": { type: "string", default: "" },
  "loading-text": { type: "string", default: "" },
};

export class DataElement extends KitElement {
  #rows = [];
  #hasRows = false;
  #load = 0;

  /** The rows to show (objects); setting them ends the loading state. */
  get rows() { return this.#rows; }
  set rows(value) {
    this.#rows = rowsOf(value);
    this.#hasRows = true;
    this.queueRender();
  }

  /** Back to the loading state with no rows (e.g. when the question changes). */
  reset() {
    this.#load += 1;
    this.#rows = [];
    this.#hasRows = false;
    this.error = "";
    this.watermark = "";
    this.queueRender();
  }

  /** "loading" | "empty" | "error" | "ready". */
  get dataState() {
    if (this.#rows.length > 0) return "ready";
    if (this.error) return "error";
    if (this.loading || !this.#hasRows) return "loading";
    return "empty";
  }

  /** Show `source` (a promise or a function returning one) of {rows, watermark} or of rows. */
  async load(source) {
    const ticket = ++this.#load;
    this.loading = true;
    try {
      const answer = await (typeof source === "function" ? source() : source);
      if (ticket !== this.#load) return;
      this.error = "";
      this.watermark = answer?.watermark ?? this.watermark;
      this.rows = answer;
    } catch (error) {
      if (ticket !== this.#load || error?.name === "AbortError") return;
      this.error = error?.message ?? String(error);
    } finally {
      if (ticket === this.#load) this.loading = false;
    }
  }

  /** Render the overlay inside `overlay` (a <tessera-state-overlay>) from this element's state. */
  renderState(overlay, emptyText = "Nothing to show for this period.") {
    const state = this.dataState;
    overlay.state = state;
    overlay.message = state === "error" ? this.error : state === "empty" ? this.emptyText || emptyText
      : state === "loading" ? this.loadingText : "";
    const title = state === "empty" ? this.emptyTitle : state === "error" ? this.errorTitle : "";
    if (title) overlay.setAttribute("title-text", title);
    else overlay.removeAttribute("title-text");
    overlay.watermark = this.watermark;
    overlay.staleAfter = this.staleAfter;
    overlay.failed = state === "ready" && this.error ? this.error : "";
    if (this.theme) overlay.theme = this.theme;
    else overlay.removeAttribute("theme");
  }
}
