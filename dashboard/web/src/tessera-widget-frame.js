// <tessera-widget-frame widget-id="…">: the shell's wrapper around one widget.
//
// It finds the widget in the catalogue, imports its module (with a timeout), creates the
// widget's custom element with its attributes, the data API and the theme, and keeps the
// layout alive whatever the widget does: an import failure, a constructor that throws or
// a hanging import show a "widget unavailable" card with a Retry button.
//
// The bus contract (docs/contracts.md): events on the widget's declared `emits` topics
// (ordinary bubbling CustomEvents) go to the shell bus, which validates, rate-limits and
// routes them; accepted topics arrive as a `tessera-message` event on the widget (detail
// {topic, payload, source}) with the `lastMessage` and `lastValues` ({topic: payload})
// properties set first. The frame shows the window's bus trouble in its flag strip:
// throttled (flooding), invalid payloads dropped, payloads a receiver refused, handler errors.
//
// A layout may pin a widget version (`pinnedVersion`); when the catalogue's live version
// differs, the frame shows a "pinned version no longer live" placeholder with a button to
// use the live version instead (the rest of the layout is untouched).
//
// Properties: catalogue (CatalogueFeed), bus (ShellBus), windowId (the layout's window id),
// widgetAttributes (object), theme, pinnedVersion (string or null).
// Events: tessera-widget-frame-loaded, -failed, -changed (its widget's attributes changed);
// all bubbling and composed.

import { defaultAttributes, explainImportFailure, importModule, isSafeAttribute, moduleUrl, withTimeout } from "./widget-module.js";

// Attribute names that would change the page around a widget (the registry refuses them
// too: registry/domain/attribute_name.py). Only names the manifest's schema declares are set.
const RESERVED_ATTRIBUTES = new Set(["style", "class", "id", "slot", "is", "part", "exportparts", "nonce", "popover",
  "popovertarget", "popovertargetaction", "contenteditable", "autofocus", "tabindex", "accesskey", "inert", "hidden",
  "draggable", "xmlns", "theme", "data-api"]);

/** May the shell set `name` on a widget whose attributes schema is `schema`? */
function isConfigurable(name, schema) {
  const declared = Object.hasOwn(schema?.properties ?? {}, name);
  return declared && isSafeAttribute(name) && !RESERVED_ATTRIBUTES.has(name) && !name.startsWith("xlink");
}

const IMPORT_TIMEOUT_MS = 10000;
const DEFINE_TIMEOUT_MS = 3000;
const CATALOGUE_TIMEOUT_MS = 10000;
let frameCount = 0;

const css = `
:host { display: flex; flex-direction: column; position: relative; width: 100%; height: 100%; overflow: hidden;
  color: var(--text, #ccccdc); background: var(--panel, #181b1f); }
.body { position: relative; flex: 1 1 auto; min-height: 0; overflow: auto; }
::slotted(*) { display: block; width: 100%; height: 100%; }
.flags { flex: none; display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 4px 10px; font: 12px/1.5 var(--font, system-ui);
  color: var(--text-2, #8e8e8e); background: var(--panel-2, #22252b); border-bottom: 1px solid var(--border, #2c3235); }
.flags:not(:has(.flag:not([hidden]))) { display: none; }
.flag b { font-size: 10.5px; font-weight: 700; padding: 0 5px; margin-right: 6px; border-radius: 3px; text-transform: uppercase;
  letter-spacing: .04em; }
.flag.stale b { color: #1a1a1a; background: var(--warning, #f2cc0c); }
.flag.errors b, .flag.throttled b, .flag.invalid b, .flag.handler b { color: #fff; background: var(--danger, #d44a3a); }
.flag.undeliverable b { color: #1a1a1a; background: var(--warning, #f2cc0c); }
.flag .text { overflow-wrap: anywhere; }
.flag[hidden] { display: none; }
.state { position: absolute; inset: 0; display: grid; place-items: center; padding: 16px; text-align: center; }
.state[hidden] { display: none; }
.loading { color: var(--text-2, #8e8e8e); font: 13px var(--font, system-ui); }
.spinner { width: 18px; height: 18px; margin: 0 auto 8px; border-radius: 50%; border: 2px solid var(--border, #2c3235);
  border-top-color: var(--accent, #3d71d9); animation: spin .8s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
.card { max-width: 360px; padding: 18px 20px; border-radius: 6px; border: 1px solid var(--border, #2c3235);
  background: var(--panel-2, #22252b); font: 13px/1.5 var(--font, system-ui); }
.card h3 { margin: 0 0 4px; font-size: 15px; color: var(--text, #ccccdc); }
.card.pinned .icon { color: var(--warning-text, #1a1a1a); background: var(--warning, #f2cc0c); }
.card .icon { width: 28px; height: 28px; margin: 0 auto 8px; border-radius: 50%; display: grid; place-items: center;
  font-weight: 700; color: #fff; background: var(--danger, #d44a3a); }
.card p { margin: 4px 0; color: var(--text-2, #8e8e8e); overflow-wrap: anywhere; }
.card .reason { color: var(--text, #ccccdc); }
.card button { margin-top: 10px; font: 600 12.5px var(--font, system-ui); padding: 6px 16px; border-radius: 4px;
  cursor: pointer; color: #fff; background: var(--accent, #3d71d9); border: 1px solid transparent; }
.card button:hover { filter: brightness(1.12); }
.card button:focus-visible { outline: 2px solid var(--focus, #6e9fff); outline-offset: 2px; }
`;

/**
 * Run `fn`; return its result and the first error it threw or the browser reported
 * (`silence`: the reported error is handled here, not logged as uncaught).
 */
function catchReported(fn, { silence = false } = {}) {
  let error = null;
  const onError = (event) => {
    error ??= event.error ?? new Error(event.message);
    if (silence) event.preventDefault();
  };
  window.addEventListener("error", onError);
  try {
    return { result: fn(), error };
  } catch (thrown) {
    return { result: null, error: thrown };
  } finally {
    window.removeEventListener("error", onError);
  }
}

/**
 * Run a delivery; answer the first error a widget's handler threw (dispatchEvent reports
 * listener errors to window "error" instead of throwing). One window listener serves every
 * delivery, so a message to 20 widgets adds no listener churn.
 */
let delivery = null;
function duringDelivery(fn) {
  if (!duringDelivery.installed) {
    duringDelivery.installed = true;
    window.addEventListener("error", (event) => {
      if (!delivery) return;
      delivery.error ??= event.error ?? new Error(event.message);
      event.preventDefault(); // handled: shown in the window, not logged as uncaught
    });
  }
  const outer = delivery;
  delivery = { error: null };
  try {
    fn();
    return delivery.error;
  } catch (error) {
    return error;
  } finally {
    delivery = outer;
  }
}

/** A widget's own stylesheet goes into the document once (widgets live in the light DOM). */
function addStylesheet(href) {
  const url = new URL(href, location.origin);
  if (url.origin !== location.origin) return;
  if ([...document.querySelectorAll("link[data-widget-stylesheet]")].some((link) => link.href === url.href)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = url.href;
  link.dataset.widgetStylesheet = "";
  document.head.append(link);
}

let sharedSheet;
function frameSheet() {
  if (!sharedSheet) {
    sharedSheet = new CSSStyleSheet();
    sharedSheet.replaceSync(css);
  }
  return sharedSheet;
}

export class WidgetFrameElement extends HTMLElement {
  static observedAttributes = ["widget-id", "theme"];

  catalogue = null;
  bus = null;
  windowId = null;
  widgetAttributes = {};
  pinnedVersion = null;
  frameId = `frame-${++frameCount}`;
  status = "idle"; // idle | loading | ready | failed
  failure = null;

  #root;
  #body;
  #stateBox;
  #flags;
  #widget = null;
  #entry = null;
  #attempt = 0;
  #topicListeners = [];
  #joined = null;
  #lastValues = {};
  #trouble = new Map();
  #troubleTimer = null;
  #troubleShownAt = -Infinity;
  #runtimeErrors = 0;
  #onWindowError;
  #onCatalogueChange;
  #attributeWatch = null;
  #mountedAttributes = {};

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.adoptedStyleSheets = [frameSheet()];
    this.#root.innerHTML = `
      <div class="flags">
        <span class="flag stale" hidden><b>stale</b>its host missed heartbeats; it may stop updating</span>
        <span class="flag throttled" hidden><b>throttled</b><span class="text"></span></span>
        <span class="flag invalid" hidden><b>invalid</b><span class="text"></span></span>
        <span class="flag undeliverable" hidden><b>refused</b><span class="text"></span></span>
        <span class="flag handler" hidden><b>handler</b><span class="text"></span></span>
        <span class="flag errors" hidden><b>errors</b><span class="text"></span></span>
      </div>
      <div class="body" part="body"><slot></slot></div>
      <div class="state" hidden></div>`;
    this.#body = this.#root.querySelector(".body");
    this.#stateBox = this.#root.querySelector(".state");
    this.#flags = {
      stale: this.#root.querySelector(".flag.stale"),
      throttled: this.#root.querySelector(".flag.throttled"),
      invalid: this.#root.querySelector(".flag.invalid"),
      undeliverable: this.#root.querySelector(".flag.undeliverable"),
      handler: this.#root.querySelector(".flag.handler"),
      errors: this.#root.querySelector(".flag.errors"),
    };
    this.#onWindowError = (event) => this.#countRuntimeError(event);
    this.#onCatalogueChange = () => this.#catalogueChanged();
  }

  get widgetId() { return this.getAttribute("widget-id") || ""; }
  set widgetId(value) { this.setAttribute("widget-id", value); }

  get theme() { return this.getAttribute("theme") === "light" ? "light" : "dark"; }
  set theme(value) { this.setAttribute("theme", value === "light" ? "light" : "dark"); }

  /** The widget element, once mounted. */
  get widget() { return this.#widget; }

  /** What the layout persists for this frame. */
  get state() {
    return { widgetId: this.widgetId, version: this.pinnedVersion ?? this.#entry?.version ?? null,
      attributes: this.#currentAttributes() };
  }

  connectedCallback() {
    window.addEventListener("error", this.#onWindowError);
    this.catalogue?.addEventListener("change", this.#onCatalogueChange);
    if (this.status === "idle") this.load();
  }

  disconnectedCallback() {
    // golden-layout re-parents frames when windows move: keep the widget, drop global hooks.
    window.removeEventListener("error", this.#onWindowError);
    this.catalogue?.removeEventListener("change", this.#onCatalogueChange);
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === "theme" && this.#widget) this.#applyTheme(this.#widget);
    if (name === "widget-id" && this.status !== "idle") this.retry();
  }

  retry() {
    this.#attempt += 1;
    return this.load();
  }

  /** The bus's id for this window. */
  get busId() { return this.windowId ?? this.frameId; }

  /** What the widget was last given, per accepted topic. */
  get lastValues() { return this.#lastValues; }

  /**
   * Deliver a routed message to the widget (the bus calls this): set its `lastMessage` and
   * `lastValues` properties, then dispatch `tessera-message`. A handler that throws is
   * caught here and thrown on to the bus, which reports it in this window.
   */
  receive(message) {
    const widget = this.#widget;
    if (!widget) return;
    const detail = { topic: message.topic, payload: message.payload, source: message.source,
      ...(message.replay ? { replay: true } : {}) };
    this.#lastValues = { ...this.#lastValues, [detail.topic]: detail.payload };
    const error = duringDelivery(() => {
      try {
        widget.lastValues = this.#lastValues;
      } catch {
        // a read-only property is the widget's business; the event carries the same
      }
      widget.lastMessage = detail;
      widget.dispatchEvent(new CustomEvent("tessera-message", { detail }));
    });
    if (error) throw error;
  }

  /** Deliver `payload` on an accepted `topic` straight to the widget, as if routed (tests, debugging). */
  deliver(topic, payload) {
    if (!this.#widget || !Object.hasOwn(this.#entry?.accepts ?? {}, topic)) return false;
    try {
      this.receive({ topic, payload, source: { windowId: null, widgetId: null } });
    } catch (error) {
      this.#busTrouble("handler", { count: 1, topic, error });
    }
    return true;
  }

  /** The window left the layout: leave the bus. */
  release() {
    this.#leaveBus();
  }

  async load() {
    const attempt = this.#attempt;
    this.status = "loading";
    this.#unmount();
    this.#showLoading("Loading widget…");
    try {
      const entry = await this.#findEntry();
      if (attempt !== this.#attempt) return;
      this.#showLoading(`Loading ${entry.label}…`);
      try {
        await withTimeout(importModule(moduleUrl(entry), attempt), IMPORT_TIMEOUT_MS, `Loading ${entry.module}`);
      } catch (error) {
        throw new Error(await explainImportFailure(moduleUrl(entry), error));
      }
      await withTimeout(customElements.whenDefined(entry.element), DEFINE_TIMEOUT_MS,
        `Waiting for <${entry.element}> to be defined`);
      if (attempt !== this.#attempt) return;
      this.#mount(entry);
      this.status = "ready";
      this.failure = null;
      this.#stateBox.hidden = true;
      this.#emit("tessera-widget-frame-loaded", { widgetId: this.widgetId });
    } catch (error) {
      if (attempt !== this.#attempt) return;
      this.#fail(error);
    }
  }

  async #findEntry() {
    if (!this.catalogue) throw new Error("the shell has no catalogue");
    await this.catalogue.whenLoaded(CATALOGUE_TIMEOUT_MS);
    const entry = this.catalogue.get(this.widgetId);
    if (!entry) {
      const why = this.catalogue.loaded ? "is not in the catalogue; its host may be down" : "could not be looked up; the catalogue is unreachable";
      throw Object.assign(new Error(`Widget “${this.widgetId}” ${why}.`), { missing: true });
    }
    if (!entry.element || !entry.element.includes("-")) throw new Error(`Widget “${this.widgetId}” announces no valid element.`);
    if (this.pinnedVersion && entry.version && entry.version !== this.pinnedVersion) {
      throw Object.assign(new Error(`This layout pins version ${this.pinnedVersion} of “${entry.label ?? this.widgetId}”, `
        + `which is no longer live; version ${entry.version} is.`), { pinned: entry.version, label: entry.label });
    }
    this.#entry = entry;
    this.#flags.stale.hidden = entry.status !== "stale";
    return entry;
  }

  #mount(entry) {
    if (entry.stylesheet) addStylesheet(entry.stylesheet);
    const attributes = { ...defaultAttributes(entry.attributes), ...this.widgetAttributes };
    // A constructor that throws is reported (not thrown) by createElement, which then
    // returns an undefined element: catch the report and check the element upgraded.
    const { result: widget, error: created } = catchReported(() => document.createElement(entry.element));
    if (created || !widget || !widget.matches(":defined")) {
      throw new Error(`<${entry.element}> failed in its constructor: ${created?.message ?? "it did not upgrade"}`);
    }
    for (const [name, value] of Object.entries(attributes)) {
      if (isConfigurable(name, entry.attributes) && value !== null && value !== undefined) widget.setAttribute(name, String(value));
    }
    const dataApi = `${location.origin}/api/v1/metrics`;
    widget.setAttribute("data-api", dataApi);
    this.#applyTheme(widget);
    try {
      widget.dataApi = dataApi;
    } catch {
      // a read-only property is the widget's business; the attribute is set
    }
    this.#listenForTopics(widget, entry);

    const { error: thrown } = catchReported(() => this.append(widget));
    if (thrown) {
      widget.remove();
      throw new Error(`<${entry.element}> failed when attached: ${thrown.message ?? thrown}`);
    }
    this.#widget = widget;
    this.#joinBus(entry);
    this.#mountedAttributes = Object.fromEntries(Object.keys(entry.attributes?.properties ?? {})
      .map((name) => [name, widget.getAttribute(name)]));
    this.#watchAttributes(widget, entry);
  }

  /** Tell the layout when the widget's configuration changes, so it is saved. */
  #watchAttributes(widget, entry) {
    const names = Object.keys(entry.attributes?.properties ?? {});
    if (names.length === 0) return;
    this.#attributeWatch = new MutationObserver(() => {
      this.#emit("tessera-widget-frame-changed", { widgetId: this.widgetId, attributes: this.#currentAttributes() });
    });
    this.#attributeWatch.observe(widget, { attributes: true, attributeFilter: names });
  }

  #applyTheme(widget) {
    widget.setAttribute("theme", this.theme);
    try {
      widget.theme = this.theme;
    } catch {
      // attribute already set
    }
  }

  #listenForTopics(widget, entry) {
    for (const topic of Object.keys(entry.emits ?? {})) {
      const listener = (event) => {
        if (event.target !== widget && !widget.contains(event.target)) return;
        this.bus?.publish(this.busId, topic, event.detail ?? null);
      };
      this.addEventListener(topic, listener);
      this.#topicListeners.push([topic, listener]);
    }
  }

  #joinBus(entry) {
    if (!this.bus) return;
    this.#joined = this.bus;
    this.bus.join(this.busId, {
      widgetId: this.widgetId, label: entry.label ?? this.widgetId, emits: entry.emits ?? {}, accepts: entry.accepts ?? {},
      deliver: (message) => this.receive(message),
      report: (kind, info) => this.#busTrouble(kind, info),
    });
  }

  #leaveBus() {
    this.#joined?.leave(this.busId);
    this.#joined = null;
  }

  /** Show the window's bus trouble in its flag strip (at most a few repaints a second, however fast it comes). */
  #busTrouble(kind, info) {
    if (!this.#flags[kind]) return;
    this.#trouble.set(kind, info);
    if (this.#troubleTimer) return;
    const wait = this.#troubleShownAt + 200 - performance.now();
    if (wait <= 0) this.#showTrouble();
    else this.#troubleTimer = setTimeout(() => this.#showTrouble(), wait);
  }

  #showTrouble() {
    this.#troubleTimer = null;
    this.#troubleShownAt = performance.now();
    for (const [kind, info] of this.#trouble) this.#showFlag(kind, info);
    this.#trouble.clear();
  }

  #showFlag(kind, info) {
    const flag = this.#flags[kind];
    const times = info.count === 1 ? "once" : `${info.count} times`;
    const first = info.errors?.[0];
    const where = first ? ` (${first.path || "payload"} ${first.message})` : "";
    const text = {
      throttled: `events on ${info.topic} arrive faster than the shell accepts; ${info.count} dropped`,
      invalid: info.count === 1 ? `a ${info.topic} payload did not match the declared schema and was dropped${where}`
        : `${info.count} ${info.topic} payloads did not match the declared schema and were dropped${where}`,
      undeliverable: `a receiver refused ${info.topic} ${times}${where}`,
      handler: `its ${info.topic} handler threw ${times}: ${info.error?.message ?? info.error}`,
    }[kind];
    flag.hidden = false;
    flag.querySelector(".text").textContent = text;
    this.dataset[`bus${kind[0].toUpperCase()}${kind.slice(1)}`] = String(info.count);
  }

  #unmount() {
    for (const [topic, listener] of this.#topicListeners) this.removeEventListener(topic, listener);
    this.#topicListeners = [];
    this.#leaveBus();
    this.#lastValues = {};
    this.#attributeWatch?.disconnect();
    this.#attributeWatch = null;
    this.#widget = null;
    this.replaceChildren();
    for (const flag of Object.values(this.#flags)) if (flag !== this.#flags.stale) flag.hidden = true;
    this.#runtimeErrors = 0;
  }

  /**
   * The attributes a layout keeps: those it gave, and those the widget changed since it was
   * mounted. Defaults filled in at mount are not a change, so opening a layout never makes it
   * "unsaved"; a value equal to the one given keeps its original type.
   */
  #currentAttributes() {
    if (!this.#widget || !this.#entry) return { ...this.widgetAttributes };
    const names = Object.keys(this.#entry.attributes?.properties ?? {});
    const current = {};
    for (const name of names) {
      const value = this.#widget.getAttribute(name);
      const given = Object.hasOwn(this.widgetAttributes, name);
      if (given && value !== null && String(this.widgetAttributes[name]) === value) current[name] = this.widgetAttributes[name];
      else if (value !== null && (given || value !== this.#mountedAttributes[name])) current[name] = value;
    }
    return current;
  }

  #countRuntimeError(event) {
    const file = event.filename ?? "";
    const ours = file.includes(`/widgets/${this.widgetId}/`);
    if (!this.#widget || !ours) return;
    this.#runtimeErrors += 1;
    this.#flags.errors.hidden = false;
    const count = `${this.#runtimeErrors} error${this.#runtimeErrors > 1 ? "s" : ""}`;
    this.#flags.errors.querySelector(".text").textContent = `${count} while running: ${event.message ?? ""}`;
  }

  #catalogueChanged() {
    const entry = this.catalogue?.get(this.widgetId);
    if (entry && this.#entry) this.#flags.stale.hidden = entry.status !== "stale";
    if (entry && this.status === "failed" && (this.failure?.missing
      || (this.failure?.pinned && entry.version === this.pinnedVersion))) this.retry();
  }

  #showLoading(text) {
    this.#stateBox.hidden = false;
    this.#stateBox.innerHTML = `<div class="loading"><div class="spinner"></div><span></span></div>`;
    this.#stateBox.querySelector("span").textContent = text;
  }

  #fail(error) {
    this.status = "failed";
    this.failure = { message: error.message ?? String(error), missing: Boolean(error.missing), pinned: error.pinned ?? null };
    this.#unmount();
    const label = error.label ?? this.#entry?.label ?? this.widgetId;
    this.#stateBox.hidden = false;
    if (error.pinned) {
      this.#stateBox.innerHTML = `
        <div class="card pinned" role="alert">
          <div class="icon">v</div>
          <h3>Pinned version no longer live</h3>
          <p class="reason"></p>
          <p>The rest of the dashboard keeps working.</p>
          <button type="button" class="use-live"></button>
        </div>`;
      this.#stateBox.querySelector(".reason").textContent = this.failure.message;
      const button = this.#stateBox.querySelector(".use-live");
      button.textContent = `Use version ${error.pinned}`;
      button.addEventListener("click", () => {
        this.pinnedVersion = error.pinned;
        this.#emit("tessera-widget-frame-changed", { widgetId: this.widgetId, version: error.pinned });
        this.retry();
      });
    } else {
      this.#stateBox.innerHTML = `
        <div class="card" role="alert">
          <div class="icon">!</div>
          <h3>Widget unavailable</h3>
          <p class="reason"></p>
          <p>The rest of the dashboard keeps working.</p>
          <button type="button" class="retry">Retry</button>
        </div>`;
      this.#stateBox.querySelector(".reason").textContent = `${label}: ${this.failure.message}`;
      this.#stateBox.querySelector(".retry").addEventListener("click", () => this.retry());
    }
    this.#emit("tessera-widget-frame-failed", { widgetId: this.widgetId, message: this.failure.message });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}
