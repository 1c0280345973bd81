// <tessera-share-dialog>: create a view or edit link (latest or this version, with an
// expiry), copy it, and list the live links with Revoke. A modal <dialog> with a native form.
//
// A view link can be live ("Live: viewers follow my selections"): the server gives the link
// its own relay, this tab presents on it, and revoking the link ends it for every viewer.
// Whether the current selections go into the link's view state is the sender's choice.
//
// Properties: version (the version on screen), links (array|null while loading),
// linksError, created ({url, role, expiresAt, live?}|null), presenting (Set of link ids
// this tab presents on), busy, error.
// Methods: open(), close(). Events `tessera-share-dialog-…`: create-requested
// {role, version, expiresIn, live, selections}, revoke-requested {link},
// present-requested {link}, reload-requested.

import { emit, esc, uiSheet } from "./ui-sheet.js";

const EXPIRIES = [["3600", "1 hour"], ["86400", "1 day"], ["604800", "7 days"], ["2592000", "30 days"], ["", "Never"]];

const css = `
dialog { width: min(560px, calc(100vw - 32px)); }
fieldset { border: none; margin: 0 0 12px; padding: 0; display: flex; gap: 8px; }
legend { font-size: 12px; color: var(--text-2, #8e8e8e); margin-bottom: 6px; padding: 0; }
.role { flex: 1 1 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; padding: 10px; cursor: pointer;
  border: 1px solid var(--border, #2c3235); border-radius: 6px; color: var(--text, #ccccdc); font-size: 13px; }
.role:has(input:checked) { border-color: var(--accent, #3d71d9); background: var(--accent-soft, rgba(61,113,217,.18)); }
.role input { margin: 2px 0 0; grid-row: span 2; align-self: start; }
.role small { color: var(--text-2, #8e8e8e); font-size: 11.5px; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin-bottom: 12px; }
.created { display: flex; gap: 6px; margin: 4px 0 14px; }
.created input { flex: 1 1 auto; font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
h3 { margin: 6px 0 8px; font-size: 13px; }
.links li { display: flex; align-items: center; gap: 8px; padding: 8px 0; border-bottom: 1px solid var(--border, #2c3235); }
.links li:last-child { border-bottom: none; }
.links .grow { flex: 1 1 auto; min-width: 0; }
.error { color: var(--danger, #d44a3a); margin: 0 0 10px; }
.options { display: grid; gap: 8px; margin-bottom: 12px; }
.option { display: grid; grid-template-columns: auto 1fr; gap: 1px 8px; font-size: 13px; color: var(--text, #ccccdc); cursor: pointer; }
.option input { margin: 2px 0 0; grid-row: span 2; align-self: start; }
.option small { color: var(--text-2, #8e8e8e); font-size: 11.5px; }
.option[hidden] { display: none; }
.created-note { margin: -8px 0 14px; font-size: 12px; color: var(--text-2, #8e8e8e); }
.chip.live { color: var(--success-text, #73bf69); background: var(--success-soft, rgba(115,191,105,.15)); border-color: transparent; }
`;

let sheet;
function dialogSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}

export class ShareDialogElement extends HTMLElement {
  #root;
  #dialog;
  #links = null;
  #linksError = null;
  #created = null;
  version = null;
  presenting = new Set();
  busy = false;
  error = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.adoptedStyleSheets = [uiSheet(), dialogSheet()];
    this.#root.innerHTML = `
      <dialog aria-labelledby="share-title">
        <form method="dialog" class="create">
          <header><h2 id="share-title">Share this layout</h2>
            <button type="button" class="close" aria-label="Close sharing">×</button></header>
          <div class="body">
            <fieldset><legend>Anyone with the link can…</legend>
              <label class="role"><input type="radio" name="role" value="view" checked> View
                <small>A clean, locked dashboard; widgets stay interactive.</small></label>
              <label class="role"><input type="radio" name="role" value="edit"> Edit
                <small>Save new versions of this layout.</small></label>
            </fieldset>
            <div class="row">
              <label>Version <select name="version"></select></label>
              <label>Expires after <select name="expiresIn">${EXPIRIES.map(([v, t]) => `<option value="${v}" ${v === "604800" ? "selected" : ""}>${t}</option>`).join("")}</select></label>
            </div>
            <div class="options">
              <label class="option live-option"><input type="checkbox" name="live"> Live: viewers follow my selections
                <small>What you select reaches everyone on this link as you do it, until you revoke the link.</small></label>
              <label class="option"><input type="checkbox" name="selections" checked> Include my current selections
                <small>The link opens with what is selected now (a row, a referrer, a time range).</small></label>
            </div>
            <p class="error" role="alert" hidden></p>
            <div class="created" hidden>
              <input readonly aria-label="Share link">
              <button type="button" class="copy primary">Copy</button>
            </div>
            <p class="created-note" hidden></p>
            <h3>Active links</h3>
            <div class="links"></div>
          </div>
          <footer><button type="button" class="done">Done</button><button type="submit" class="primary make">Create link</button></footer>
        </form>
      </dialog>`;
    this.#dialog = this.#root.querySelector("dialog");
    const form = this.#root.querySelector("form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const version = data.get("version") === "latest" ? "latest" : Number(data.get("version"));
      const expires = data.get("expiresIn");
      const role = data.get("role");
      emit(this, "create-requested", { role, version, expiresIn: expires ? Number(expires) : null,
        live: role === "view" && data.get("live") === "on", selections: data.get("selections") === "on" });
    });
    // only a view link can be live: its viewers follow; an edit link's holder edits
    form.addEventListener("change", (event) => {
      if (event.target.name === "role") this.#syncRole();
    });
    this.#root.querySelector(".close").addEventListener("click", () => this.close());
    this.#root.querySelector(".done").addEventListener("click", () => this.close());
    this.#root.querySelector(".copy").addEventListener("click", () => this.#copy());
    this.#root.querySelector(".links").addEventListener("click", (event) => {
      const revoke = event.target.closest("button.revoke");
      if (revoke) emit(this, "revoke-requested", { link: this.#links?.[Number(revoke.dataset.index)] });
      const present = event.target.closest("button.present");
      if (present) emit(this, "present-requested", { link: this.#links?.[Number(present.dataset.index)] });
      if (event.target.closest("button.retry")) emit(this, "reload-requested");
    });
  }

  open() {
    const select = this.#root.querySelector("select[name=version]");
    select.innerHTML = `<option value="latest">Always the latest</option>${this.version ? `<option value="${this.version}">Version ${this.version} (as it is now)</option>` : ""}`;
    this.#created = null;
    this.error = null;
    this.#syncRole();
    this.render();
    if (!this.#dialog.open) this.#dialog.showModal();
  }

  close() { this.#dialog.close(); }

  #syncRole() {
    const view = this.#root.querySelector("input[name=role][value=view]").checked;
    const live = this.#root.querySelector("input[name=live]");
    live.closest("label").hidden = !view;
    if (!view) live.checked = false;
  }

  set links(value) { this.#links = value; this.#linksError = null; this.render(); }
  get links() { return this.#links; }
  set linksError(value) { this.#linksError = value; this.render(); }
  set created(value) { this.#created = value; this.render(); }
  get created() { return this.#created; }

  render() {
    const $ = (selector) => this.#root.querySelector(selector);
    $(".make").disabled = this.busy;
    $(".make").textContent = this.busy ? "Creating…" : "Create link";
    $(".error").hidden = !this.error;
    $(".error").textContent = this.error ?? "";
    $(".created").hidden = !this.#created;
    if (this.#created) {
      const url = new URL(this.#created.url, location.origin).href;
      $(".created input").value = url;
      $(".copy").textContent = "Copy";
    }
    const live = this.#created?.live;
    $(".created-note").hidden = !this.#created || this.#created.live === undefined || this.#created.live === false;
    $(".created-note").textContent = live ? "Live: its viewers follow your selections from this tab. Revoke the link to end it for everyone."
      : "Live could not start now (too many live links on this dashboard); use Present on the link below to try again.";
    const box = $(".links");
    if (this.#linksError) {
      box.innerHTML = `<div class="state error" role="alert">${esc(this.#linksError)} <button type="button" class="retry">Try again</button></div>`;
    } else if (this.#links === null) {
      box.innerHTML = `<div class="state"><span class="spinner"></span>Loading links…</div>`;
    } else if (this.#links.length === 0) {
      box.innerHTML = `<div class="state">No active links. Links you create appear here until they expire or you revoke them.</div>`;
    } else {
      box.innerHTML = `<ul class="plain links" aria-label="Active links">${this.#links.map((link, index) => `
        <li><span class="chip ${link.role === "edit" ? "warn" : "accent"}">${esc(link.role)}</span>
          ${link.live ? `<span class="chip live" title="Its viewers follow the presenter's selections">live</span>` : ""}
          <span class="grow">${link.version === "latest" || link.version == null ? "latest" : `v${esc(link.version)}`}
            <span class="faint">· ${link.expiresAt ? `expires ${esc(new Date(link.expiresAt).toLocaleString())}` : "never expires"}
            ${link.hint ?? link.tokenHint ? ` · …${esc(link.hint ?? link.tokenHint)}` : ""}</span></span>
          ${!link.live ? "" : this.presenting.has(link.id) ? `<span class="faint presenting">presenting here</span>`
    : `<button type="button" class="present" data-index="${index}" title="Make this tab the presenter of this live link" aria-label="Present live link ${index + 1} from here">Present</button>`}
          <button type="button" class="revoke danger" data-index="${index}" aria-label="Revoke ${esc(link.role)} link ${index + 1}">Revoke</button></li>`).join("")}</ul>`;
    }
  }

  async #copy() {
    const input = this.#root.querySelector(".created input");
    const button = this.#root.querySelector(".copy");
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = "Copied";
    } catch {
      input.select(); // the clipboard is refused (no permission): leave it selected for Ctrl+C
      button.textContent = "Press Ctrl+C";
    }
  }
}
