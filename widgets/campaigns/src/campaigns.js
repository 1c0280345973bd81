// <marketing-campaigns>: visitors by UTM source, medium or campaign (tabs), from the marketing
// team — written with Lit (compiled and bundled by esbuild into one ES module; the kit stays a
// runtime import) to show that a framework's custom element works in Tessera unchanged.
// It uses the kit's <tessera-bar-list> and data client, but not KitElement: it receives topics
// the plain way (the `tessera-message` event and the `lastMessage` property of issue 9's contract).
// A clicked row emits filter.changed {filters: {utm_source|utm_medium|utm_campaign: value}}.
import "/kit/v1/bar-list-element.js";
import { LitElement, css, html } from "lit";
import { clientFor } from "/kit/v1/data-client.js";
import "/kit/v1/bar-list.js";
import { frameCss } from "../../_shared/frame-style.js";
import { SCOPE_ATTRIBUTES, followScope, scopeLabel, scopeParams, windowLabel } from "../../_shared/scope.js";
import { unsafeCSS } from "lit";
import { themeCss } from "/kit/v1/theme.js";

const TABS = [
  { dimension: "utm_source", label: "Source" },
  { dimension: "utm_medium", label: "Medium" },
  { dimension: "utm_campaign", label: "Campaign" },
];

export class CampaignsElement extends LitElement {
  static styles = [unsafeCSS(themeCss), unsafeCSS(frameCss), css`.body > tessera-bar-list { position: absolute; inset: 0; }`];
  static properties = {
    site: { type: String, reflect: true },
    page: { type: String, reflect: true },
    referrer: { type: String, reflect: true },
    filters: { type: String, reflect: true },
    from: { type: String, reflect: true },
    to: { type: String, reflect: true },
    rangeHours: { type: Number, attribute: "range-hours", reflect: true },
    refreshSeconds: { type: Number, attribute: "refresh-seconds" },
    dataApi: { type: String, attribute: "data-api" },
    theme: { type: String, reflect: true },
    dimension: { state: true },
  };

  #handlers = new Map();
  #lastMessage = null;
  #connection = null;
  #live = null;
  #lastLive = 0;
  #abort = null;

  constructor() {
    super();
    this.site = "demo.local";
    this.refreshSeconds = 15;
    this.dimension = TABS[0].dimension;
  }

  // --- issue 9's contract, by hand: tessera-message events and the lastMessage property -----
  get lastMessage() { return this.#lastMessage; }
  set lastMessage(message) { this.#received(message); }
  #received(message) {
    if (!message || typeof message !== "object" || message === this.#lastMessage) return;
    this.#lastMessage = message;
    this.#handlers.get(message.topic)?.(message.payload ?? {});
  }

  connectedCallback() {
    super.connectedCallback();
    this.#connection = new AbortController();
    const { signal } = this.#connection;
    this.addEventListener("tessera-message", (event) => this.#received(event.detail), { signal });
    followScope(this, signal, { accept: (topic, handler) => this.#handlers.set(topic, handler) });
    if (this.#lastMessage) this.#handlers.get(this.#lastMessage.topic)?.(this.#lastMessage.payload ?? {});
    this.addEventListener("tessera-state-overlay-retried", () => this.refresh(), { signal });
    this.#follow();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.#connection?.abort();
    this.#live?.close();
    this.#abort?.abort();
  }

  updated(changed) {
    const scope = [...changed.keys()].some((key) => key === "dimension" || SCOPE_ATTRIBUTES.includes(key) || ["rangeHours", "dataApi"].includes(key));
    if ((changed.has("site") || changed.has("dataApi")) && changed.get("site") !== undefined) this.list?.reset();
    if (changed.has("site") || changed.has("dataApi")) this.#follow();
    if (scope) this.refresh();
  }

  #follow() {
    if (!this.isConnected) return;
    this.#live?.close();
    const every = () => (this.refreshSeconds || 15) * 1000;
    this.#live = clientFor(this).subscribe("stream", { site: this.site }, (update) => {
      if (update.via === "poll" || Date.now() - this.#lastLive >= every()) {
        this.#lastLive = Date.now();
        if (!this.#abort) this.refresh();
      }
    }, { events: ["minute"], pollMs: every() });
  }

  get list() { return this.renderRoot?.querySelector("tessera-bar-list"); }

  async refresh() {
    await this.updateComplete;
    const list = this.list;
    if (!list || !this.isConnected) return;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const dimension = this.dimension;
    const params = scopeParams(this, { except: [dimension] });
    await list.load(async () => {
      const answer = await clientFor(this).query("breakdown", { ...params, dimension, limit: 10 }, { signal: abort.signal });
      return { rows: answer.rows.filter((row) => row.value !== ""), watermark: answer.watermark };
    });
    if (this.#abort === abort) this.#abort = null;
  }

  #pick(dimension) {
    if (dimension === this.dimension) return;
    this.list?.removeAttribute("selected");
    this.list?.reset();
    this.dimension = dimension;
  }

  #selected(event) {
    event.stopPropagation();
    const value = event.detail.row ? String(event.detail.row.value) : null;
    this.dispatchEvent(new CustomEvent("filter.changed", { detail: { filters: { [this.dimension]: value } }, bubbles: true, composed: true }));
  }

  render() {
    const filters = scopeLabel(this, { except: [this.dimension] });
    return html`
      <section class="frame" part="frame">
        <header class="head">
          <div class="titles"><h2 class="title">Campaigns</h2>
            <div class="sub ${filters ? "filtered" : ""}">${[windowLabel(this), filters].filter(Boolean).join(" · ")}</div></div>
          <nav class="tabs" role="tablist">${TABS.map((tab) => html`
            <button type="button" role="tab" aria-selected=${String(tab.dimension === this.dimension)}
              @click=${() => this.#pick(tab.dimension)}>${tab.label}</button>`)}</nav>
        </header>
        <div class="body">
          <tessera-bar-list label-key="value" value-key="visitors" label-heading="UTM ${this.dimension.slice(4)}" value-label="Visitors"
            empty-title="No campaign traffic" empty-text="No visits with UTM tags in this period." error-title="Campaigns unavailable"
            theme=${this.theme || ""} @tessera-bar-list-selected=${this.#selected}></tessera-bar-list>
        </div>
      </section>`;
  }
}

if (!customElements.get("marketing-campaigns")) customElements.define("marketing-campaigns", CampaignsElement);
