// The base of the kit's elements (github-element style): attributes are the source of truth,
// each declared attribute gets a camelCase property, renders are batched in a microtask,
// listeners live as long as the connection (one AbortController), size changes arrive
// through one ResizeObserver, events leave bubbling and composed.

import { sheetFor, themeCss, watchDocumentTheme } from "./theme.js";

export const camelCase = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

export class KitElement extends HTMLElement {
  /** {"attribute-name": {type: "string"|"number"|"boolean"|"json", default}}; subclasses override. */
  static properties = {};
  static css = "";

  static get observedAttributes() {
    return ["theme", ...Object.keys(this.properties)];
  }

  /** Define one camelCase accessor per declared attribute (call once per class). */
  static defineProperties() {
    for (const [name, spec] of Object.entries({ theme: { type: "string", default: "" }, ...this.properties })) {
      const property = camelCase(name);
      if (Object.prototype.hasOwnProperty.call(this.prototype, property)) continue;
      Object.defineProperty(this.prototype, property, {
        configurable: true,
        get() { return readAttribute(this, name, spec); },
        set(value) { writeAttribute(this, name, spec, value); },
      });
    }
  }

  #renderQueued = false;
  #connection = null;
  #accepted = new Map(); // topic -> Set of handlers
  #lastMessage = null;
  #handled = null;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.shadowRoot.adoptedStyleSheets = [sheetFor(themeCss), sheetFor(this.constructor.css)];
  }

  /** Aborted on disconnect: pass it to every addEventListener / fetch of this connection. */
  get signal() {
    return this.#connection?.signal;
  }

  connectedCallback() {
    this.#connection?.abort();
    this.#connection = new AbortController();
    const { signal } = this.#connection;
    this.addEventListener("tessera-message", (event) => this.#received(event.detail), { signal });
    watchDocumentTheme(() => this.themeChanged(), signal);
    const resize = new ResizeObserver((entries) => this.resized(entries[0].contentRect));
    resize.observe(this);
    signal.addEventListener("abort", () => resize.disconnect(), { once: true });
    this.connected(signal);
    this.queueRender();
  }

  disconnectedCallback() {
    this.#connection?.abort();
    this.#connection = null;
    this.disconnected();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === "theme") this.themeChanged();
    this.queueRender();
  }

  /** Batch any number of changes into one render in the next microtask. */
  queueRender() {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    queueMicrotask(() => {
      this.#renderQueued = false;
      if (this.isConnected) this.render();
    });
  }

  /**
   * Call `handler(payload, message)` for each message of `topic` the shell delivers (the
   * `tessera-message` event, or the `lastMessage` property a late joiner gets), until `signal`
   * (default: this connection's) aborts. Returns a function that stops it.
   */
  accept(topic, handler, signal = this.signal) {
    if (!this.#accepted.has(topic)) this.#accepted.set(topic, new Set());
    const handlers = this.#accepted.get(topic);
    handlers.add(handler);
    const stop = () => handlers.delete(handler);
    signal?.addEventListener("abort", stop, { once: true });
    if (this.#lastMessage?.topic === topic) this.#deliver(this.#lastMessage, handler);
    return stop;
  }

  /** The last message the shell delivered ({topic, payload, source}). */
  get lastMessage() { return this.#lastMessage; }
  set lastMessage(message) { this.#received(message); }

  #received(message) {
    if (!message || typeof message !== "object" || message === this.#handled) return;
    this.#lastMessage = message;
    this.#handled = message; // the shell sets the property and then dispatches the same object
    for (const handler of [...(this.#accepted.get(message.topic) ?? [])]) this.#deliver(message, handler);
  }

  #deliver(message, handler) {
    try {
      handler(message.payload, message);
    } catch (error) {
      globalThis.reportError?.(error);
    }
  }

  /** A bubbling, composed CustomEvent. */
  emit(type, detail) {
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // Hooks for subclasses.
  connected(signal) {}
  disconnected() {}
  render() {}
  resized(rect) {}
  themeChanged() { this.queueRender(); }
}

function readAttribute(element, name, spec) {
  const raw = element.getAttribute(name);
  switch (spec.type) {
    case "boolean":
      return raw !== null;
    case "number": {
      const value = Number.parseFloat(raw ?? "");
      const ok = Number.isFinite(value) && (spec.min === undefined || value >= spec.min);
      return ok ? value : spec.default ?? null;
    }
    case "json":
      try {
        return raw === null ? spec.default ?? null : JSON.parse(raw);
      } catch {
        return spec.default ?? null;
      }
    default:
      return raw ?? ("default" in spec ? spec.default : "");
  }
}

function writeAttribute(element, name, spec, value) {
  if (spec.type === "boolean") element.toggleAttribute(name, Boolean(value));
  else if (value === null || value === undefined) element.removeAttribute(name);
  else element.setAttribute(name, spec.type === "json" && typeof value !== "string" ? JSON.stringify(value) : String(value));
}
