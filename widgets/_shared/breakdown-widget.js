// The frame the built-in breakdown widgets share (bundled into each): a header (title, the
// window and filters in force, optional tabs), one kit element that shows the rows, queries of
// the breakdown route under the scope (see scope.js), a refresh on the live stream (at most
// every `refresh-seconds`) and on Retry. A subclass says what to ask and how to show it.

import { clientFor } from "/kit/v1/data-client.js";
import { KitElement } from "/kit/v1/kit-element.js";
import { SCOPE_ATTRIBUTES, followScope, scopeLabel, scopeParams, windowLabel } from "./scope.js";
import { frameCss } from "./frame-style.js";

export class BreakdownWidget extends KitElement {
  static css = frameCss;
  /** [{dimension, label}] — one tab each (a single entry shows no tabs). */
  static tabs = [];
  static title = "";
  /** Topics that do not filter this widget (it selects instead, e.g. Top pages and page.selected). */
  static selects = [];

  #body;
  #parts;
  #abort = null;
  #live = null;
  #lastLive = 0;
  #dimension;

  constructor() {
    super();
    const tabs = this.constructor.tabs;
    this.#dimension = tabs[0]?.dimension;
    this.shadowRoot.innerHTML = `
      <section class="frame" part="frame">
        <header class="head">
          <div class="titles"><h2 class="title"></h2><div class="sub"></div></div>
          <nav class="tabs" role="tablist" ${tabs.length > 1 ? "" : "hidden"}></nav>
        </header>
        <div class="body"></div>
      </section>`;
    const $ = (s) => this.shadowRoot.querySelector(s);
    this.#parts = { title: $(".title"), sub: $(".sub"), tabs: $(".tabs"), body: $(".body") };
    this.#parts.title.textContent = this.constructor.title;
    for (const tab of tabs) {
      const button = document.createElement("button");
      button.type = "button";
      button.role = "tab";
      button.dataset.dimension = tab.dimension;
      button.textContent = tab.label;
      this.#parts.tabs.append(button);
    }
    this.#body = this.createBody();
    this.#parts.body.append(this.#body);
  }

  /** The kit element that shows the rows (a <tessera-table> or <tessera-bar-list>). */
  createBody() { throw new Error("createBody() is required"); }
  /** Rows of the breakdown answer → the body's rows. */
  shape(rows) { return rows; }
  /** A row was selected in the body (or cleared: value null) on `dimension`. */
  selected(dimension, value) {}

  get dimension() { return this.#dimension; }
  get body() { return this.#body; }

  connected(signal) {
    followScope(this, signal, { except: this.constructor.selects });
    this.#parts.tabs.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-dimension]");
      if (!button || button.dataset.dimension === this.#dimension) return;
      this.#dimension = button.dataset.dimension;
      this.#body.removeAttribute("selected");
      this.#body.reset();
      this.refresh();
    }, { signal });
    this.addEventListener("tessera-state-overlay-retried", () => this.refresh(), { signal });
    document.addEventListener("visibilitychange", () => { if (!document.hidden) this.refresh(); }, { signal });
    this.#follow();
    this.refresh();
  }

  disconnected() {
    this.#live?.close();
    this.#live = null;
    this.#abort?.abort();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    super.attributeChangedCallback(name, oldValue, newValue);
    if (oldValue === newValue || !this.isConnected) return;
    if (SCOPE_ATTRIBUTES.includes(name)) {
      if (name === "site" || name === "data-api") {
        this.#body.reset(); // another site's rows are not this one's, even while it loads
        this.#follow();
      }
      this.refresh();
    }
  }

  /** The query parameters in force (without the dimensions this widget selects on). */
  params() {
    const except = this.constructor.selects.map((topic) => topic.split(".")[0]);
    return scopeParams(this, { except });
  }

  async refresh() {
    if (!this.isConnected) return;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const dimension = this.#dimension;
    await this.#body.load(async () => {
      const answer = await clientFor(this).query("breakdown", { ...this.params(), dimension, limit: 10 }, { signal: abort.signal });
      return { rows: this.shape(answer.rows, dimension), watermark: answer.watermark };
    });
    if (this.#abort === abort) this.#abort = null;
    this.queueRender();
  }

  #follow() {
    this.#live?.close();
    const every = () => this.refreshSeconds * 1000;
    this.#live = clientFor(this).subscribe("stream", { site: this.site }, (update) => {
      const now = Date.now();
      if (update.via === "poll" || now - this.#lastLive >= every()) {
        this.#lastLive = now;
        if (!this.#abort) this.refresh(); // never abort the question in flight for the same one

      }
    }, { events: ["minute"], pollMs: every() });
  }

  render() {
    const { sub, tabs } = this.#parts;
    const except = this.constructor.selects.map((topic) => topic.split(".")[0]);
    const filters = scopeLabel(this, { except });
    sub.textContent = [windowLabel(this), filters].filter(Boolean).join(" · ");
    sub.classList.toggle("filtered", Boolean(filters));
    for (const button of tabs.children) button.setAttribute("aria-selected", String(button.dataset.dimension === this.#dimension));
    if (this.theme) this.#body.theme = this.theme;
    else this.#body.removeAttribute("theme");
  }
}
