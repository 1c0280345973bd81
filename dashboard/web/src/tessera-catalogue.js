// <tessera-catalogue>: the list of widgets the registry knows, searchable, each with its
// owning team and data products (the data mesh), tags, status and an Add button.
//
// Properties: feed (CatalogueFeed); dragSource (optional function(element, entry) that
// returns a disposer, to let an item be dragged into the layout).
// Attribute: query (the search text; the search box reflects it).
// Events: tessera-catalogue-selected {entry} when Add is pressed (bubbling, composed).

// Icons come through the dashboard's origin, whose six connections the first render's
// modules and queries need: the catalogue's icons ask for theirs this long after navigation.
// (fetchPriority "low" alone still let eight icons take those connections at ~0.8 s.)
const ICON_DELAY_MS = 2000;

function iconLater(icon, src) {
  const wait = ICON_DELAY_MS - (globalThis.performance?.now() ?? ICON_DELAY_MS);
  if (wait <= 0) icon.src = src;
  else setTimeout(() => { icon.src = src; }, wait);
}

const css = `
:host { display: flex; flex-direction: column; min-height: 0; height: 100%; font: 13px/1.45 var(--font, system-ui);
  color: var(--text, #ccccdc); }
* { box-sizing: border-box; }
.head { display: flex; align-items: baseline; justify-content: space-between; padding: 14px 14px 8px; }
h2 { margin: 0; font-size: 13px; font-weight: 600; text-transform: uppercase; letter-spacing: .06em; color: var(--text-2, #8e8e8e); }
.count { color: var(--text-3, #6e6e6e); font-size: 12px; }
.search { display: block; margin: 0 14px 10px; position: relative; }
input { width: 100%; padding: 7px 10px 7px 30px; font: inherit; color: var(--text, #ccccdc); background: var(--input, #111217);
  border: 1px solid var(--border, #2c3235); border-radius: 4px; outline: none; }
input:focus { border-color: var(--accent, #3d71d9); box-shadow: 0 0 0 2px var(--accent-soft, rgba(61,113,217,.25)); }
.search svg { position: absolute; left: 9px; top: 50%; transform: translateY(-50%); width: 14px; height: 14px; stroke: var(--text-3, #6e6e6e); }
.notice { margin: 0 14px 10px; padding: 7px 10px; border-radius: 4px; font-size: 12px; color: var(--warning-text, #1a1a1a);
  background: var(--warning, #f2cc0c); }
.notice[hidden] { display: none; }
ul { list-style: none; margin: 0; padding: 0 10px 14px; overflow-y: auto; flex: 1 1 auto; min-height: 0; }
li { padding: 11px 12px; margin-bottom: 8px; border: 1px solid var(--border, #2c3235); border-radius: 6px;
  background: var(--panel-2, #22252b); transition: border-color .15s; }
li:hover { border-color: var(--border-strong, #464c54); }
li.stale { border-style: dashed; }
.top { display: flex; align-items: center; gap: 8px; }
.top img { width: 18px; height: 18px; flex: none; }
.top img:not([data-loaded]) { visibility: hidden; } /* on its way (iconLater, then loading): its place kept, no empty frame */
.label { font-weight: 600; font-size: 13.5px; flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { flex: none; font-size: 10.5px; font-weight: 600; line-height: 1.6; padding: 0 6px; border-radius: 3px; text-transform: uppercase; letter-spacing: .04em; }
.badge.live { color: var(--success-text, #73bf69); background: var(--success-soft, rgba(115,191,105,.15)); }
.badge.stale { color: var(--warning-text, #1a1a1a); background: var(--warning, #f2cc0c); }
.desc { margin: 5px 0 7px; color: var(--text-2, #8e8e8e); }
dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; margin: 0 0 7px; font-size: 12px; }
dt { color: var(--text-3, #6e6e6e); }
dd { margin: 0; color: var(--text, #ccccdc); overflow-wrap: anywhere; }
.tags { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 8px; }
.tag { font-size: 11px; padding: 0 6px; line-height: 1.7; border-radius: 10px; color: var(--text-2, #8e8e8e);
  border: 1px solid var(--border, #2c3235); }
.actions { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.version { color: var(--text-3, #6e6e6e); font-size: 11.5px; font-variant-numeric: tabular-nums; }
.drag { cursor: grab; color: var(--text-3, #6e6e6e); font-size: 11.5px; user-select: none; }
button { font: 600 12px var(--font, system-ui); padding: 5px 14px; border-radius: 4px; cursor: pointer; color: #fff;
  background: var(--accent, #3d71d9); border: 1px solid transparent; }
button:hover { filter: brightness(1.12); }
button:focus-visible, input:focus-visible { outline: 2px solid var(--focus, #6e9fff); outline-offset: 1px; }
.empty { margin: 12px 14px; color: var(--text-2, #8e8e8e); }
.empty[hidden] { display: none; }
`;

const template = `
  <div class="head"><h2>Catalogue</h2><span class="count"></span></div>
  <label class="search">
    <svg viewBox="0 0 24 24" fill="none" stroke-width="2" stroke-linecap="round"><circle cx="11" cy="11" r="7"/><path d="m20 20-3.5-3.5"/></svg>
    <input type="search" placeholder="Search widgets, teams, tags…" aria-label="Search the catalogue">
  </label>
  <div class="notice" role="status" hidden></div>
  <ul aria-label="Widgets"></ul>
  <p class="empty" hidden></p>`;

let sharedSheet;

function matches(entry, words) {
  const text = [entry.label, entry.description, entry.team, entry.id, ...(entry.tags ?? []), ...(entry.dataProducts ?? [])]
    .join(" ").toLowerCase();
  return words.every((word) => text.includes(word));
}

export class CatalogueElement extends HTMLElement {
  static observedAttributes = ["query"];

  #root;
  #feed = null;
  #renderQueued = false;
  #disposers = [];
  #onChange = () => this.#queueRender();
  dragSource = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    if (!sharedSheet) {
      sharedSheet = new CSSStyleSheet();
      sharedSheet.replaceSync(css);
    }
    this.#root.adoptedStyleSheets = [sharedSheet];
    this.#root.innerHTML = template;
    this.#root.querySelector("input").addEventListener("input", (event) => {
      this.query = event.target.value;
    });
    this.#root.querySelector("ul").addEventListener("click", (event) => this.#onClick(event));
  }

  get query() { return this.getAttribute("query") ?? ""; }
  set query(value) { this.setAttribute("query", value); }

  get feed() { return this.#feed; }
  set feed(feed) {
    this.#feed?.removeEventListener("change", this.#onChange);
    this.#feed = feed;
    if (this.isConnected) feed?.addEventListener("change", this.#onChange);
    this.#queueRender();
  }

  connectedCallback() {
    this.#feed?.addEventListener("change", this.#onChange);
    this.#queueRender();
  }

  disconnectedCallback() {
    this.#feed?.removeEventListener("change", this.#onChange);
    this.#dispose();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    const input = this.#root.querySelector("input");
    if (input.value !== this.query) input.value = this.query;
    this.#queueRender();
  }

  #queueRender() {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    queueMicrotask(() => {
      this.#renderQueued = false;
      this.#render();
    });
  }

  #render() {
    const feed = this.#feed;
    const all = feed ? feed.list() : [];
    const words = this.query.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = all.filter((entry) => matches(entry, words));
    this.#root.querySelector(".count").textContent = `${shown.length}${shown.length !== all.length ? ` of ${all.length}` : ""} widget${all.length === 1 ? "" : "s"}`;

    const notice = this.#root.querySelector(".notice");
    notice.hidden = !(feed?.stale);
    notice.textContent = feed?.loaded
      ? "Registry unreachable: showing the last known catalogue."
      : "Registry unreachable: no catalogue yet. Retrying…";

    const empty = this.#root.querySelector(".empty");
    empty.hidden = shown.length > 0 || !feed?.loaded;
    empty.textContent = all.length === 0
      ? "No widgets are announced yet. Start a widget host with its sidecar and it appears here within seconds."
      : "No widget matches your search.";

    this.#dispose();
    const list = this.#root.querySelector("ul");
    list.replaceChildren(...shown.map((entry) => this.#item(entry)));
  }

  #item(entry) {
    const li = document.createElement("li");
    li.dataset.id = entry.id;
    li.className = entry.status === "stale" ? "stale" : "live";
    li.innerHTML = `
      <div class="top"><span class="label"></span><span class="badge"></span></div>
      <p class="desc"></p>
      <dl><dt>Team</dt><dd class="team"></dd><dt>Data</dt><dd class="data"></dd></dl>
      <div class="tags"></div>
      <div class="actions"><span class="version"></span><span class="drag" title="Drag into the workspace">⠿ drag</span>
        <button type="button" class="add">Add</button></div>`;
    if (entry.icon) {
      const icon = document.createElement("img");
      icon.decoding = "async";
      icon.alt = "";
      icon.addEventListener("load", () => { icon.dataset.loaded = ""; });
      icon.addEventListener("error", () => icon.remove());
      iconLater(icon, entry.icon);
      li.querySelector(".top").prepend(icon);
    }
    li.querySelector(".label").textContent = entry.label;
    const badge = li.querySelector(".badge");
    badge.textContent = entry.status === "stale" ? "stale" : "live";
    badge.classList.add(entry.status === "stale" ? "stale" : "live");
    badge.title = entry.status === "stale" ? "Its host missed heartbeats; it may not load" : "Its host is heart-beating";
    li.querySelector(".desc").textContent = entry.description;
    li.querySelector(".team").textContent = entry.team || "—";
    li.querySelector(".data").textContent = (entry.dataProducts ?? []).join(", ") || "—";
    li.querySelector(".tags").replaceChildren(...(entry.tags ?? []).map((tag) => {
      const span = document.createElement("span");
      span.className = "tag";
      span.textContent = tag;
      return span;
    }));
    li.querySelector(".version").textContent = entry.version ? `v${entry.version}` : "";
    li.querySelector(".add").setAttribute("aria-label", `Add ${entry.label}`);
    const handle = li.querySelector(".drag");
    if (typeof this.dragSource === "function") {
      const dispose = this.dragSource(handle, entry);
      if (typeof dispose === "function") this.#disposers.push(dispose);
    } else {
      handle.remove();
    }
    return li;
  }

  #dispose() {
    for (const dispose of this.#disposers) dispose();
    this.#disposers = [];
  }

  #onClick(event) {
    const button = event.target.closest("button.add");
    if (!button) return;
    const entry = this.#feed?.get(button.closest("li").dataset.id);
    if (!entry) return;
    this.dispatchEvent(new CustomEvent("tessera-catalogue-selected", { detail: { entry }, bubbles: true, composed: true }));
  }
}
