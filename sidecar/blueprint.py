"""The files of a new widget, as text with ``__NAME__``-style placeholders.

The widget is built on Tessera's widget kit (``/kit/v1/``, served by the dashboard): it
extends the kit's base element (attributes are the source of truth, kebab-case attributes
mirror camelCase properties, renders are batched in a microtask, listeners end with the
connection), reads its data with the kit's data client (rows plus the freshness watermark,
live refresh over the shared SSE stream, polling when it fails) and shows it in a
``<tessera-bar-list>``, whose rows emit the well-known ``page.selected`` topic as a bubbling,
composed ``CustomEvent``; accepted topics come back through ``accept()`` (a ``tessera-message``).
"""

MODULE = r"""// __TAG__ — a Tessera widget on the widget kit (/kit/v1/): no build step, plain imports.
// The dashboard serves the kit; the shell sets data-api (its metrics API) and theme.
import { clientFor } from "/kit/v1/data-client.js";
import { KitElement } from "/kit/v1/kit-element.js";
import "/kit/v1/bar-list.js";

const TAG = "__TAG__";
const EMITS = "__TOPIC__";
const MINUTE = 60_000;

export class __CLASS__ extends KitElement {
  // Each attribute gets a camelCase property: site, rangeMinutes, dataApi (and theme).
  static properties = {
    site: { type: "string", default: "demo.local" },
    "range-minutes": { type: "number", default: 60, min: 1 },
    "data-api": { type: "string", default: "" },
  };

  static css = `
    :host { display: flex; flex-direction: column; height: 100%; padding: 10px 12px; gap: 6px; }
    h2 { margin: 0; font-size: 14px; font-weight: 600; }
    .hint { color: var(--kit-fg-2); font-size: 12px; }
    tessera-bar-list { flex: 1 1 auto; height: auto; }
  `;

  #list;
  #subscription = null;
  #lastRefresh = 0;

  constructor() {
    super();
    this.shadowRoot.innerHTML = `
      <h2>__LABEL__</h2>
      <div class="hint"></div>
      <tessera-bar-list label-key="path" label-heading="Page" emit-topic="${EMITS}" emit-field="path"
        empty-text="No page views in this period yet."></tessera-bar-list>`;
    this.#list = this.shadowRoot.querySelector("tessera-bar-list");
  }

  connected(signal) {
    // Topics the manifest accepts arrive as tessera-message events (or lastMessage): accept() routes them.
    this.accept("site.selected", ({ site }) => { this.site = site; }, signal);
    this.addEventListener("tessera-state-overlay-retried", () => this.refresh(), { signal });
    signal.addEventListener("abort", () => this.#subscription?.close());
    this.#follow();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    super.attributeChangedCallback(name, oldValue, newValue);
    if (oldValue !== newValue && this.isConnected && name !== "theme") this.#follow();
  }

  /** Query now: the list shows loading, then the rows, the empty or the error state. */
  refresh() {
    this.#lastRefresh = Date.now();
    const to = new Date();
    const from = new Date(to.getTime() - this.rangeMinutes * MINUTE);
    this.#list.extraPayload = { site: this.site };
    return this.#list.load(clientFor(this).query("top-pages", { site: this.site, from, to }));
  }

  // Refresh when the live stream says a minute changed (at most every 2 s); the kit shares
  // one connection among all widgets and polls every 10 s while the stream is down.
  #follow() {
    this.#subscription?.close();
    this.#subscription = clientFor(this).subscribe("stream", { site: this.site }, () => {
      if (Date.now() - this.#lastRefresh > 2000) this.refresh();
    }, { events: ["minute"], pollMs: 10_000 });
    this.refresh();
  }

  render() {
    this.shadowRoot.querySelector(".hint").textContent = `Top pages of ${this.site}, last ${this.rangeMinutes} min`;
    if (this.theme) this.#list.theme = this.theme;
  }
}

__CLASS__.defineProperties();
if (!customElements.get(TAG)) customElements.define(TAG, __CLASS__);
"""

STYLESHEET = """/* Document-level rules for the element's box (its insides are styled in its shadow root). */
__TAG__ {
  display: block;
  height: 100%;
  min-height: 160px;
}
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>__LABEL__ — standalone test page</title>
  <!-- The widget imports the kit from /kit/v1/; on this host, fetch it from the dashboard. -->
  <script type="importmap">{"imports": {"/kit/v1/": "__KIT_URL__"}}</script>
  <script type="module">
    // Demo answers for data-api="demo://metrics", so this page works without the platform.
    const realFetch = window.fetch.bind(window);
    window.fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith("demo://")) return realFetch(input, init);
      const items = [["/", 120], ["/pricing", 64], ["/blog/hello", 31], ["/about", 12]]
        .map(([path, views]) => ({ path, views, visitors: Math.round(views * 0.6) }));
      const body = { items, watermark: new Date().toISOString() };
      return Promise.resolve(new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } }));
    };
  </script>
  <script type="module" src="./__NAME__.js"></script>
  <link rel="stylesheet" href="./__NAME__.css">
  <style>body { margin: 0; font: 14px system-ui, sans-serif; } main { height: 340px; max-width: 560px; }</style>
</head>
<body>
  <p>Standalone page for <code>&lt;__TAG__&gt;</code>: the widget runs here without the shell.</p>
  <main><__TAG__ data-api="demo://metrics" theme="light"></__TAG__></main>
  <p><button id="send" type="button">Deliver a site.selected message</button></p>
  <pre id="log"></pre>
  <script type="module">
    const widget = document.querySelector("__TAG__");
    const log = document.querySelector("#log");
    document.addEventListener("__TOPIC__", (event) => {
      log.textContent += `__TOPIC__ ${JSON.stringify(event.detail)}\\n`;
    });
    document.querySelector("#send").addEventListener("click", () => {
      const detail = { topic: "site.selected", payload: { site: "shop.local" } };
      widget.dispatchEvent(new CustomEvent("tessera-message", { detail }));
    });
  </script>
</body>
</html>
"""

ICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24">
  <rect x="3" y="3" width="18" height="18" rx="3" fill="none" stroke="currentColor" stroke-width="2"/>
  <path d="M7 15l3-4 3 3 4-6" fill="none" stroke="currentColor" stroke-width="2"/>
</svg>
"""
