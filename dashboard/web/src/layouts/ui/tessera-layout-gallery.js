// <tessera-layout-gallery>: the layouts kept on this dashboard, searchable by title and
// owner, newest first; each card opens the layout (and says which layout it was cloned from).
//
// Properties: items (array|null while loading), error. Attributes: query, owner (the
// search fields reflect them). Events `tessera-layout-gallery-…`: search-requested {q, owner}.

import { ago } from "../diff-summary.js";
import { layoutPath } from "../routes.js";
import { emit, esc, uiSheet } from "./ui-sheet.js";

const css = `
:host { display: block; height: 100%; overflow: auto; }
.page { max-width: 1100px; margin: 0 auto; padding: 24px 24px 40px; }
h1 { margin: 0 0 4px; font-size: 20px; }
form { display: flex; gap: 10px; margin: 16px 0 18px; flex-wrap: wrap; }
form input { flex: 1 1 220px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; }
.card { display: flex; flex-direction: column; gap: 6px; padding: 14px 16px; border-radius: 8px; text-decoration: none;
  color: var(--text, #ccccdc); background: var(--panel, #181b1f); border: 1px solid var(--border, #2c3235); }
.card:hover { border-color: var(--accent, #3d71d9); }
.card h2 { margin: 0; font-size: 14.5px; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.card p { margin: 0; }
.meta { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.desc { color: var(--text-2, #8e8e8e); display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
`;

let sheet;
function gallerySheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}

export class LayoutGalleryElement extends HTMLElement {
  static observedAttributes = ["query", "owner"];
  #root;
  #items = null;
  #error = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.adoptedStyleSheets = [uiSheet(), gallerySheet()];
    this.#root.innerHTML = `
      <div class="page">
        <h1>Layouts</h1>
        <p class="muted">Dashboards saved here. Open one to view it; clone it to make it yours.</p>
        <form role="search">
          <input type="search" name="q" placeholder="Search titles and descriptions…" aria-label="Search layouts">
          <input type="search" name="owner" placeholder="Owner" aria-label="Owner" style="flex:0 1 200px">
          <button type="submit" class="primary">Search</button>
          <a class="button" href="/?new">New layout</a>
        </form>
        <div class="results" aria-live="polite"></div>
      </div>`;
    this.#root.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const q = String(data.get("q") ?? "").trim();
      const owner = String(data.get("owner") ?? "").trim();
      this.setAttribute("query", q);
      this.setAttribute("owner", owner);
      emit(this, "search-requested", { q, owner });
    });
  }

  attributeChangedCallback(name, oldValue, newValue) {
    const input = this.#root.querySelector(`input[name=${name === "query" ? "q" : "owner"}]`);
    if (input && input.value !== (newValue ?? "")) input.value = newValue ?? "";
  }

  set items(value) { this.#items = value; this.#error = null; this.render(); }
  get items() { return this.#items; }
  set error(value) { this.#error = value; this.render(); }

  render() {
    const box = this.#root.querySelector(".results");
    if (this.#error) {
      box.innerHTML = `<div class="state error" role="alert">The gallery could not be loaded: ${esc(this.#error)}</div>`;
    } else if (this.#items === null) {
      box.innerHTML = `<div class="state"><span class="spinner"></span>Loading layouts…</div>`;
    } else if (this.#items.length === 0) {
      const searching = this.getAttribute("query") || this.getAttribute("owner");
      box.innerHTML = `<div class="state">${searching ? "No layout matches this search." : "No layouts saved yet. Build one and press Save."}</div>`;
    } else {
      const titles = new Map(this.#items.map((item) => [item.id, item.title]));
      box.innerHTML = `<div class="grid">${this.#items.map((item) => {
        const parentTitle = item.parent ? item.parent.title ?? titles.get(item.parent.id) : null;
        const parent = item.parent ? `<span class="chip accent" title="cloned from ${esc(item.parent.id)} v${esc(item.parent.version)}">clone of ${esc(parentTitle ?? "another layout")} · v${esc(item.parent.version)}</span>` : "";
        const updated = item.updatedAt ?? item.updated_at ?? item.updated;
        return `<a class="card" href="${esc(layoutPath(item.id))}">
          <h2>${esc(item.title || "Untitled layout")}</h2>
          ${item.description ? `<p class="desc">${esc(item.description)}</p>` : ""}
          <p class="meta"><span class="faint">${esc([item.owner || "no owner", `v${item.version ?? item.latestVersion ?? "?"}`,
            ago(updated)].filter(Boolean).join(" · "))}</span> ${parent}</p>
        </a>`;
      }).join("")}</div>`;
    }
  }
}
