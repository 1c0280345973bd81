// <tessera-live-feed>: traffic as it arrives. Visitors and views in the last minutes (the
// query API's /live) over single page views as they are stored: the query API's `recent` SSE
// stream (through the kit's shared subscribe: one connection per page, Last-Event-ID resume,
// polling while the stream is down) opens with the newest page views, then pushes each new one;
// a line shows its time, path, referrer host, device and browser, newest first.
// Follows site.selected; the feed shows every page of the site.
import { clientFor } from "/kit/v1/data-client.js";
import { clockTime, formatNumber } from "/kit/v1/format.js";
import { KitElement } from "/kit/v1/kit-element.js";
import "/kit/v1/state-overlay.js";
import { frameCss } from "../../_shared/frame-style.js";
import { addArrivals, arrivalDetail } from "./live-feed-data.js";

const css = `${frameCss}
.title { display: block; }
/* the counts keep their line as they grow (a wrap would push the list down a row); the subtitle
   gives way, ending in an ellipsis, in a narrow window */
.head { flex-wrap: nowrap; }
.titles { flex: 1 1 auto; }
.now { display: flex; flex: none; gap: 14px; align-items: baseline; }
.now b { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.now span { color: var(--kit-fg-2); font-size: 11.5px; margin-left: 4px; }
.dot { position: relative; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--kit-good);
  margin-right: 6px; }
/* the pulse and the new-line flash animate transform and opacity only: the compositor runs
   them, so an open feed does not repaint every frame */
.dot::after { content: ""; position: absolute; inset: 0; border-radius: 50%; background: var(--kit-good); opacity: .6;
  animation: pulse 2s ease-out infinite; }
.dot.off { background: var(--kit-fg-3); }
.dot.off::after { display: none; }
@keyframes pulse { 70%, 100% { transform: scale(2.5); opacity: 0; } }
ol { list-style: none; margin: 0; padding: 0; position: absolute; inset: 0; overflow: auto; font-variant-numeric: tabular-nums; }
li { position: relative; isolation: isolate; display: flex; gap: 10px; align-items: baseline; padding: 4px 4px;
  border-bottom: 1px solid var(--kit-border); font-size: 12.5px; }
li time { color: var(--kit-fg-3); width: 5.5em; flex: none; white-space: nowrap; }
li .path { color: var(--kit-fg); font-weight: 600; min-width: 0; flex: 0 1 auto; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
li .detail { color: var(--kit-fg-2); margin-left: auto; flex: 0 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; text-align: right; }
li.fresh::before { content: ""; position: absolute; inset: 0; z-index: -1; background: var(--kit-accent-soft);
  pointer-events: none; animation: fresh 1.2s ease-out forwards; }
@keyframes fresh { to { opacity: 0; } }
@media (prefers-reduced-motion: reduce) { .dot::after, li.fresh::before { animation: none; display: none; } }
`;

export class LiveFeedElement extends KitElement {
  static css = css;
  static properties = {
    site: { type: "string", default: "demo.local" },
    "data-api": { type: "string", default: "" },
    "refresh-seconds": { type: "number", default: 10, min: 1 },
  };

  #parts;
  #lines = [];
  #live = null;
  #error = "";
  #loaded = false;
  #totals = null;
  #lastTotals = 0;
  #items = new Map(); // line id -> its <li>, kept while the line is shown

  constructor() {
    super();
    this.shadowRoot.innerHTML = `
      <section class="frame" part="frame">
        <header class="head">
          <div class="titles"><h2 class="title"><span class="dot off"></span>Live</h2><div class="sub"></div></div>
          <div class="now"><div><b class="visitors">–</b><span>visitors</span></div><div><b class="views">–</b><span>views</span></div></div>
        </header>
        <div class="body"><ol aria-live="polite" aria-label="Page views as they arrive"></ol><tessera-state-overlay></tessera-state-overlay></div>
      </section>`;
    const $ = (s) => this.shadowRoot.querySelector(s);
    this.#parts = { dot: $(".dot"), sub: $(".sub"), visitors: $(".visitors"), views: $(".views"), list: $("ol"), state: $("tessera-state-overlay") };
  }

  connected(signal) {
    this.accept("site.selected", ({ site }) => { if (typeof site === "string" && site) this.site = site; }, signal);
    this.addEventListener("tessera-state-overlay-retried", () => this.#loadTotals(), { signal });
    this.#follow();
    this.#loadTotals();
  }

  disconnected() { this.#live?.close(); }

  attributeChangedCallback(name, oldValue, newValue) {
    super.attributeChangedCallback(name, oldValue, newValue);
    if (oldValue === newValue || !this.isConnected || (name !== "site" && name !== "data-api")) return;
    this.#lines = [];
    this.#totals = null;
    this.#loaded = false;
    this.#follow();
    this.#loadTotals();
  }

  async #loadTotals() {
    this.#lastTotals = Date.now();
    const site = this.site;
    let totals = null;
    let failure = "";
    try {
      totals = (await clientFor(this).query("live", { site })).body;
    } catch (error) {
      failure = error?.message ?? String(error);
    }
    if (site !== this.site) return; // answered for a site the feed no longer shows
    if (totals) this.#totals = totals;
    this.#error = failure;
    this.#loaded = true;
    this.queueRender();
  }

  #follow() {
    this.#live?.close();
    this.#live = clientFor(this).subscribe("recent", { site: this.site }, (update) => {
      if ((update.type === "recent" || update.type === "pageviews") && update.data) {
        this.#lines = addArrivals(this.#lines, update.data.events);
        this.#loaded = true;
      }
      if (update.via === "poll" || Date.now() - this.#lastTotals > 2000) this.#loadTotals();
      this.queueRender();
    }, { events: ["recent", "pageviews"], pollMs: this.refreshSeconds * 1000 });
  }

  /**
   * The list as `#lines` says, keeping the <li> of every line still shown: an arrival inserts
   * its line (flashing, unless it is the first fill) and drops the oldest, instead of
   * rebuilding fifty lines five times a second.
   */
  #renderLines(list) {
    const flash = this.#items.size > 0;
    const items = new Map();
    let cursor = list.firstElementChild;
    for (const line of this.#lines) {
      let item = this.#items.get(line.id);
      if (!item) {
        item = lineItem(line);
        if (flash) item.className = "fresh";
      }
      items.set(line.id, item);
      if (item === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(item, cursor);
    }
    while (cursor) {
      const next = cursor.nextElementSibling;
      cursor.remove();
      cursor = next;
    }
    this.#items = items;
  }

  render() {
    const { dot, sub, visitors, views, list, state } = this.#parts;
    const mode = this.#live?.mode ?? "closed";
    dot.classList.toggle("off", mode !== "sse");
    sub.textContent = `${this.site} · ${mode === "sse" ? "streaming" : mode === "poll" ? "polling (stream down)" : "connecting…"}`
      + (this.#totals?.window_seconds ? ` · last ${Math.round(this.#totals.window_seconds / 60)} min` : "");
    sub.title = sub.textContent; // whole on hover when a narrow window cuts it short
    visitors.textContent = this.#totals ? formatNumber(this.#totals.visitors) : "–";
    views.textContent = this.#totals ? formatNumber(this.#totals.views) : "–";
    this.#renderLines(list);
    const hasTotals = Boolean(this.#totals);
    state.state = !this.#loaded ? "loading" : this.#error && !hasTotals ? "error" : this.#lines.length || hasTotals ? "ready" : "empty";
    state.message = state.state === "error" ? this.#error : state.state === "loading" ? "Connecting to the live stream…" : "";
    if (state.state === "error") state.setAttribute("title-text", "Live feed unavailable");
    else state.removeAttribute("title-text");
    state.failed = hasTotals && this.#error ? this.#error : "";
    state.watermark = this.#totals?.watermark ?? "";
    if (this.theme) state.theme = this.theme;
    else state.removeAttribute("theme");
  }
}

function lineItem(line) {
  const item = document.createElement("li");
  item.innerHTML = `<time></time><span class="path"></span><span class="detail"></span>`;
  item.querySelector("time").textContent = clockTime(line.t);
  item.querySelector("time").dateTime = line.t;
  item.querySelector(".path").textContent = line.path;
  item.querySelector(".path").title = line.path;
  item.querySelector(".detail").textContent = arrivalDetail(line);
  item.querySelector(".detail").title = [line.referrer ? `from ${line.referrer}` : "direct", line.device, line.browser, line.os]
    .filter(Boolean).join(", ");
  item.addEventListener("animationend", () => item.classList.remove("fresh"), { once: true });
  return item;
}

LiveFeedElement.defineProperties();
if (!customElements.get("tessera-live-feed")) customElements.define("tessera-live-feed", LiveFeedElement);
