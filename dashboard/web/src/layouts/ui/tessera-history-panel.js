// <tessera-history-panel>: a layout's versions in a modal <dialog>.
//
// Each version shows its number, author, message, time and where it came from (restored
// from vN, cloned from …); tick two to see the structural diff between them; open any
// version read-only; restore one (which appends a new version). A clone can compare
// itself with its parent.
//
// Properties: versions (array|null while loading), error (string|null), diff ({from, to,
// lines}|{loading}|{error}), editable, currentVersion, parent ({id, version}|null).
// Methods: open(), close(). Events `tessera-history-panel-…`: compare-requested {from, to},
// parent-compare-requested, restore-requested {version}, reload-requested.

import { ago } from "../diff-summary.js";
import { layoutPath } from "../routes.js";
import { emit, esc, uiSheet } from "./ui-sheet.js";

const css = `
dialog { width: min(720px, calc(100vw - 32px)); }
.versions li { display: grid; grid-template-columns: auto auto 1fr auto; gap: 2px 12px; align-items: center;
  padding: 9px 10px; border-bottom: 1px solid var(--border, #2c3235); }
.versions li:last-child { border-bottom: none; }
.versions li.current { background: var(--accent-soft, rgba(61,113,217,.18)); border-radius: 4px; }
.versions input { margin: 0; width: 16px; height: 16px; }
.num { font-weight: 700; font-variant-numeric: tabular-nums; min-width: 3ch; }
.what { min-width: 0; }
.what .message { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.row-actions { display: flex; gap: 6px; }
.row-actions a { font-size: 12px; }
a { color: var(--accent, #3d71d9); }
.toolbar { display: flex; align-items: center; gap: 8px; margin: 0 0 10px; flex-wrap: wrap; }
.toolbar .faint { flex: 1 1 auto; }
.diff { margin-top: 14px; padding: 10px 12px; border: 1px solid var(--border, #2c3235); border-radius: 6px;
  background: var(--panel-2, #22252b); }
.diff h3 { margin: 0 0 6px; font-size: 13px; }
.diff li { padding: 3px 0 3px 22px; position: relative; font-size: 12.5px; overflow-wrap: anywhere; }
.diff li::before { position: absolute; left: 4px; font-weight: 700; }
.diff li.added::before { content: "+"; color: var(--success-text, #73bf69); }
.diff li.removed::before { content: "−"; color: var(--danger, #d44a3a); }
.diff li.moved::before { content: "↔"; color: var(--accent, #3d71d9); }
.diff li:not(.added):not(.removed):not(.moved)::before { content: "~"; color: var(--warning, #f2cc0c); }
`;

let sheet;
function panelSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}

export class HistoryPanelElement extends HTMLElement {
  #root;
  #dialog;
  #versions = null;
  #error = null;
  #diff = null;
  #picked = [];
  layoutId = "";
  editable = false;
  currentVersion = null;
  parent = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.adoptedStyleSheets = [uiSheet(), panelSheet()];
    this.#root.innerHTML = `
      <dialog aria-labelledby="history-title">
        <div class="sheet">
          <header><h2 id="history-title">History</h2>
            <button type="button" class="close" aria-label="Close history">×</button></header>
          <div class="body">
            <div class="toolbar">
              <span class="faint">Tick two versions to compare them. Every save is kept; a restore adds a version.</span>
              <button type="button" class="compare primary" disabled>Compare</button>
              <button type="button" class="parent-compare" hidden>Compare with parent</button>
            </div>
            <div class="list"></div>
            <section class="diff" hidden aria-live="polite"></section>
          </div>
        </div>
      </dialog>`;
    this.#dialog = this.#root.querySelector("dialog");
    this.#root.querySelector(".close").addEventListener("click", () => this.close());
    this.#root.querySelector(".compare").addEventListener("click", () => {
      const [a, b] = [...this.#picked].sort((x, y) => x - y);
      emit(this, "compare-requested", { from: a, to: b });
    });
    this.#root.querySelector(".parent-compare").addEventListener("click", () => emit(this, "parent-compare-requested"));
    this.#root.querySelector(".list").addEventListener("change", (event) => {
      const box = event.target.closest("input[type=checkbox]");
      if (!box) return;
      const version = Number(box.value);
      this.#picked = this.#picked.filter((v) => v !== version);
      if (box.checked) this.#picked.push(version);
      while (this.#picked.length > 2) this.#picked.shift();
      this.#syncPicks();
    });
    this.#root.querySelector(".list").addEventListener("click", (event) => {
      const button = event.target.closest("button.restore");
      if (button) emit(this, "restore-requested", { version: Number(button.dataset.version) });
      const retry = event.target.closest("button.retry");
      if (retry) emit(this, "reload-requested");
    });
  }

  get isOpen() { return this.#dialog.open; }

  open() {
    if (!this.#dialog.open) this.#dialog.showModal();
    this.render();
  }

  close() { this.#dialog.close(); }

  set versions(value) { this.#versions = value; this.#error = null; this.render(); }
  get versions() { return this.#versions; }
  set error(value) { this.#error = value; this.render(); }
  set diff(value) { this.#diff = value; this.#renderDiff(); }

  render() {
    const list = this.#root.querySelector(".list");
    this.#root.querySelector(".parent-compare").hidden = !this.parent;
    if (this.#error) {
      list.innerHTML = `<div class="state error" role="alert"><p>${esc(this.#error)}</p>
        <button type="button" class="retry">Try again</button></div>`;
      return;
    }
    if (this.#versions === null) {
      list.innerHTML = `<div class="state"><span class="spinner"></span>Loading versions…</div>`;
      return;
    }
    if (this.#versions.length === 0) {
      list.innerHTML = `<div class="state">No versions yet: save the layout to start its history.</div>`;
      return;
    }
    const rows = [...this.#versions].sort((a, b) => b.version - a.version).map((v) => {
      const origin = v.restoredFrom ? `<span class="chip accent">restored from v${esc(v.restoredFrom)}</span>` : "";
      const who = v.author ? esc(v.author) : "someone";
      const when = v.createdAt ?? v.created_at ?? v.savedAt ?? v.timestamp;
      const current = v.version === this.currentVersion;
      return `<li class="${current ? "current" : ""}" data-version="${v.version}">
        <input type="checkbox" value="${v.version}" aria-label="Compare version ${v.version}" ${this.#picked.includes(v.version) ? "checked" : ""}>
        <span class="num">v${v.version}</span>
        <span class="what"><div class="message">${esc(v.message || (v.restoredFrom ? "Restore" : "Saved"))} ${origin}
          ${current ? '<span class="chip ok">on screen</span>' : ""}</div>
          <div class="faint">${who} · <time datetime="${esc(when)}" title="${esc(when)}">${esc(ago(when))}</time></div></span>
        <span class="row-actions">
          <a class="button" href="${esc(layoutPath(this.layoutId, v.version))}" aria-label="Open version ${v.version}">Open</a>
          ${this.editable ? `<button type="button" class="restore" data-version="${v.version}" aria-label="Restore version ${v.version}">Restore</button>` : ""}
        </span></li>`;
    });
    list.innerHTML = `<ul class="plain versions" aria-label="Versions">${rows.join("")}</ul>`;
    this.#syncPicks();
  }

  #syncPicks() {
    this.#root.querySelector(".compare").disabled = this.#picked.length !== 2;
  }

  #renderDiff() {
    const box = this.#root.querySelector(".diff");
    const diff = this.#diff;
    box.hidden = !diff;
    if (!diff) return;
    const heading = diff.title ?? `Changes from v${diff.from} to v${diff.to}`;
    if (diff.loading) {
      box.innerHTML = `<h3>${esc(heading)}</h3><p class="muted"><span class="spinner"></span>Comparing…</p>`;
    } else if (diff.error) {
      box.innerHTML = `<h3>${esc(heading)}</h3><p class="state error" role="alert">${esc(diff.error)}</p>`;
    } else if (!diff.lines.length) {
      box.innerHTML = `<h3>${esc(heading)}</h3><p class="muted">No differences: these versions are identical.</p>`;
    } else {
      box.innerHTML = `<h3>${esc(heading)}</h3><ul class="plain" aria-label="Differences">${
        diff.lines.map((l) => `<li class="${esc(l.kind)}">${esc(l.text)}</li>`).join("")}</ul>`;
    }
  }
}
