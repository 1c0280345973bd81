// <tessera-state-overlay>: the loading, empty, error and stale states every kit element shows.
//
// Attributes: title-text (overrides the state's heading), state ("loading" | "empty" | "error" | "ready"), message, watermark (ISO time the
// data is complete up to), stale-after (seconds; default 300), failed (a refresh failed while
// older data is still shown: its reason). Loading, empty and error cover the content; stale and
// failed are a slim banner along the bottom edge, so the content never moves.
// Events: tessera-state-overlay-retried (the error card's Retry button), bubbling and composed.

import { clockTime, isStale, lagSeconds } from "./format.js";
import { KitElement } from "./kit-element.js";

const css = `
:host { position: absolute; inset: 0; pointer-events: none; z-index: 2; }
.cover { position: absolute; inset: 0; display: grid; place-items: center; padding: 8px; text-align: center;
  background: color-mix(in srgb, var(--kit-bg) 72%, transparent); }
:host([state="loading"]) .cover { background: transparent; }
.cover[hidden], .banner[hidden] { display: none; }
.box { max-width: 30em; max-height: 100%; overflow: auto; color: var(--kit-fg-2); pointer-events: auto; }
.text { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; overflow: hidden; }
.title { display: block; color: var(--kit-fg); font-weight: 600; margin-bottom: 2px; }
.error .title { color: var(--kit-bad); }
.spinner { width: 18px; height: 18px; margin: 0 auto 6px; border-radius: 50%; border: 2px solid var(--kit-border);
  border-top-color: var(--kit-accent); animation: spin .8s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 3s; } }
button { margin-top: 6px; font: 600 12px var(--kit-font); padding: 4px 14px; border-radius: 4px; cursor: pointer;
  color: var(--kit-fg); background: var(--kit-bg-2); border: 1px solid var(--kit-border); }
button:focus-visible { outline: 2px solid var(--kit-focus); outline-offset: 2px; }
.banner { position: absolute; left: 6px; bottom: 4px; max-width: calc(100% - 12px); padding: 1px 8px; border-radius: 3px;
  font-size: 11px; line-height: 18px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; pointer-events: auto;
  color: var(--kit-warn-fg); background: var(--kit-warn); }
.banner.failed { color: #fff; background: var(--kit-bad); }
`;

const TITLES = { loading: "", empty: "No data", error: "Data unavailable" };

export class StateOverlayElement extends KitElement {
  static css = css;
  static properties = {
    state: { type: "string", default: "ready" },
    message: { type: "string", default: "" },
    watermark: { type: "string", default: "" },
    "stale-after": { type: "number", default: 300, min: 0 },
    failed: { type: "string", default: "" },
    "title-text": { type: "string", default: "" },
  };

  #parts;
  #timer = null;

  constructor() {
    super();
    this.shadowRoot.innerHTML = `
      <div class="cover" part="cover" hidden><div class="box" role="status" aria-live="polite"></div></div>
      <div class="banner" part="banner" role="status" hidden></div>`;
    const $ = (selector) => this.shadowRoot.querySelector(selector);
    this.#parts = { cover: $(".cover"), box: $(".box"), banner: $(".banner") };
  }

  /** True when the data is complete only up to a time older than `stale-after` seconds. */
  get stale() {
    return isStale(this.watermark, this.staleAfter);
  }

  connected(signal) {
    this.#parts.box.addEventListener("click", (event) => {
      if (event.target.closest("button")) this.emit("tessera-state-overlay-retried", { state: this.state });
    }, { signal });
    // Data goes stale with time alone: look again every 10 s.
    this.#timer = setInterval(() => this.queueRender(), 10_000);
    signal.addEventListener("abort", () => clearInterval(this.#timer), { once: true });
  }

  render() {
    const { cover, box, banner } = this.#parts;
    const state = ["loading", "empty", "error"].includes(this.state) ? this.state : "ready";
    cover.hidden = state === "ready";
    cover.className = `cover ${state}`;
    box.setAttribute("role", state === "error" ? "alert" : "status");
    if (state !== "ready") {
      const title = state === "loading" ? "" : this.titleText || TITLES[state];
      const message = this.message || (state === "loading" ? "Loading…" : "");
      box.innerHTML = `${state === "loading" ? '<div class="spinner"></div>' : ""}${title ? '<strong class="title"></strong>' : ""}<span class="text"></span>${state === "error" ? '<br><button type="button">Retry</button>' : ""}`;
      if (title) box.querySelector(".title").textContent = title;
      box.querySelector(".text").textContent = message;
    }
    const failed = state !== "error" && this.failed;
    const stale = !failed && state !== "loading" && state !== "error" && this.stale;
    banner.hidden = !(failed || stale);
    banner.classList.toggle("failed", Boolean(failed));
    if (failed) {
      banner.textContent = `Refresh failed: ${this.failed}`;
    } else if (stale) {
      const minutes = Math.round(lagSeconds(this.watermark) / 60);
      banner.textContent = `Stale: data complete up to ${clockTime(this.watermark)} (${minutes} min ago)`;
    }
    banner.title = banner.textContent;
  }
}

StateOverlayElement.defineProperties();
