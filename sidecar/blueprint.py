"""The files of a new widget, as text with ``__NAME__``-style placeholders.

The element follows the widget contract (docs/contracts.md): attributes are the source
of truth, kebab-case attributes mirror camelCase properties, rendering is batched in a
microtask, listeners are removed on disconnect, interactions leave as bubbling, composed
``CustomEvent``s named after a declared topic, and ``tessera-message`` brings them back.
"""

MODULE = r"""// __TAG__ — a Tessera widget: a plain custom element, no build step, no platform import.
const TAG = "__TAG__";
const EMITS = "__TOPIC__";
const STYLESHEET = new URL("./__NAME__.css", import.meta.url).href;

const ATTRIBUTES = ["greeting", "data-api", "theme"];
const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const escape = (value) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export class __CLASS__ extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #count = 0;
  #lastMessage = null;
  #renderQueued = false;
  #onClick = (event) => this.#clicked(event);
  #onMessage = (event) => this.#received(event);

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    this.shadowRoot.addEventListener("click", this.#onClick);
    this.addEventListener("tessera-message", this.#onMessage);
    this.#queueRender();
  }

  disconnectedCallback() {
    this.shadowRoot.removeEventListener("click", this.#onClick);
    this.removeEventListener("tessera-message", this.#onMessage);
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue !== newValue) this.#queueRender();
  }

  // Properties mirror attributes (kebab-case attribute <-> camelCase property).
  get greeting() { return this.getAttribute("greeting") ?? "Hello"; }
  set greeting(value) { this.setAttribute("greeting", value); }
  get dataApi() { return this.getAttribute("data-api") ?? ""; }
  set dataApi(value) { this.setAttribute("data-api", value); }
  get theme() { return this.getAttribute("theme") ?? "light"; }
  set theme(value) { this.setAttribute("theme", value); }

  // The shell sets this property (and dispatches tessera-message) for accepted topics.
  get lastMessage() { return this.#lastMessage; }
  set lastMessage(message) {
    this.#lastMessage = message;
    this.#queueRender();
  }

  #received(event) {
    this.lastMessage = event.detail;
  }

  #clicked(event) {
    if (!event.composedPath().some((node) => node.dataset?.action === "emit")) return;
    this.#count += 1;
    this.dispatchEvent(new CustomEvent(EMITS, { detail: { count: this.#count }, bubbles: true, composed: true }));
    this.#queueRender();
  }

  #queueRender() {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    queueMicrotask(() => {
      this.#renderQueued = false;
      if (this.isConnected) this.#render();
    });
  }

  #render() {
    const message = this.#lastMessage
      ? `${escape(this.#lastMessage.topic)}: ${escape(JSON.stringify(this.#lastMessage.payload))}`
      : "no message yet";
    this.shadowRoot.innerHTML = `
      <link rel="stylesheet" href="${STYLESHEET}">
      <section class="widget" data-theme="${escape(this.theme)}">
        <h2>${escape(this.greeting)} from __LABEL__</h2>
        <button type="button" data-action="emit">Send ${escape(EMITS)} (${this.#count})</button>
        <p class="message">${message}</p>
      </section>`;
  }
}

if (!customElements.get(TAG)) customElements.define(TAG, __CLASS__);
"""

STYLESHEET = """:host {
  display: block;
  height: 100%;
  font: 14px/1.4 system-ui, sans-serif;
}

.widget {
  box-sizing: border-box;
  height: 100%;
  padding: 12px;
  color: #1d2433;
  background: #ffffff;
}

.widget[data-theme="dark"] {
  color: #e6e9ef;
  background: #1d2433;
}

h2 {
  margin: 0 0 8px;
  font-size: 16px;
}

.message {
  color: #5b6478;
  font-family: ui-monospace, monospace;
}
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>__LABEL__ — standalone test page</title>
  <script type="module" src="./__NAME__.js"></script>
</head>
<body>
  <p>Standalone page for <code>&lt;__TAG__&gt;</code>: the widget runs here without the shell.</p>
  <__TAG__ greeting="Hello" theme="light"></__TAG__>
  <p><button id="send" type="button">Deliver a site-selected message</button></p>
  <pre id="log"></pre>
  <script type="module">
    const widget = document.querySelector("__TAG__");
    const log = document.querySelector("#log");
    document.addEventListener("__TOPIC__", (event) => {
      log.textContent += `__TOPIC__ ${JSON.stringify(event.detail)}\\n`;
    });
    document.querySelector("#send").addEventListener("click", () => {
      const detail = { topic: "site-selected", payload: { site: "demo.local" } };
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
