// <tessera-layout-bar>: the layout's title bar in the shell header.
//
// Editable title, the save state ("Saved · v3", "Unsaved changes", …), Save (plus a
// popover to save with an author and a message), History, Share, Clone and New.
// For a past version or a layout this browser cannot edit it shows what is read-only and
// offers Open latest / Restore this version / Clone instead.
//
// Properties: saveState (from save-state.js), layoutTitle, mode ("edit" | "version" |
// "view-only"), latestVersion, author, presenting (how many live view links this tab
// presents on: a "Presenting live" button that opens Share, where they are revoked). Events (bubbling, composed), all
// `tessera-layout-bar-…`: renamed {title}, save-requested {author?, message?},
// history-requested, share-requested, clone-requested, new-requested,
// latest-requested, restore-requested {version}, catch-up-requested (the stale chip:
// a newer version was saved elsewhere).

import { cleanTitle } from "../document.js";
import { label } from "../save-state.js";
import { emit, uiSheet } from "./ui-sheet.js";

const css = `
:host { display: flex; align-items: center; gap: 8px; min-width: 0; flex: 1 1 auto; }
.title { min-width: 80px; width: 26ch; max-width: 40vw; font-size: 14px; font-weight: 600; padding: 4px 8px;
  background: transparent; border-color: transparent; }
.title:hover:not(:read-only) { border-color: var(--border, #2c3235); }
.title:read-only { cursor: default; }
.group { display: flex; align-items: center; gap: 6px; }
.split { display: inline-flex; }
.split .primary:first-child { border-radius: 4px 0 0 4px; }
.split .more { border-radius: 0 4px 4px 0; width: 24px; padding: 0; justify-content: center;
  border-left: 1px solid rgba(255,255,255,.25); }
[popover] { margin: 0; inset: auto; padding: 12px; border-radius: 6px; border: 1px solid var(--border-strong, #464c54);
  background: var(--panel, #181b1f); color: var(--text, #ccccdc); box-shadow: 0 12px 32px rgba(0,0,0,.4); width: 280px; }
[popover] form { display: grid; gap: 10px; }
.behind { height: 24px; font-size: 11.5px; font-weight: 600; color: var(--warning-text, #1a1a1a); background: var(--warning, #f2cc0c);
  border-color: transparent; border-radius: 12px; }
.presenting { height: 24px; padding: 0 9px; font-size: 11.5px; white-space: nowrap; font-weight: 600; color: var(--success-text, #73bf69);
  background: var(--success-soft, rgba(115,191,105,.15)); border-color: transparent; border-radius: 13px; }
.presenting::before { content: ""; display: inline-block; width: 7px; height: 7px; margin-right: 6px; border-radius: 50%;
  background: currentColor; animation: live-pulse 1.6s ease-in-out infinite; }
@keyframes live-pulse { 50% { opacity: .35; } }
@media (prefers-reduced-motion: reduce) { .presenting::before { animation: none; } }
.keys { font-size: 11px; color: var(--text-3, #6e6e6e); }
@media (max-width: 1100px) { .keys, .hide-narrow { display: none; } }
`;

let sheet;
function barSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}

export class LayoutBarElement extends HTMLElement {
  #root;
  #saveState = null;
  #title = "Untitled layout";
  #mode = "edit";
  #latestVersion = null;
  #queued = false;
  author = "";

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.adoptedStyleSheets = [uiSheet(), barSheet()];
    this.#root.innerHTML = `
      <input class="title" aria-label="Layout title" maxlength="200" spellcheck="false">
      <span class="chip status" role="status" aria-live="polite"></span>
      <button type="button" class="behind" hidden title="Someone saved a newer version: open it (you choose what happens to your edits)"></button>
      <div class="group edit">
        <span class="split">
          <button type="button" class="primary save" title="Save (Ctrl+S)">Save</button>
          <button type="button" class="primary more" popovertarget="save-with" aria-label="Save with a message">▾</button>
        </span>
        <div id="save-with" popover>
          <form>
            <label>Your name <input name="author" maxlength="120" autocomplete="name"></label>
            <label>What changed <input name="message" maxlength="500" placeholder="e.g. added the EU sales table"></label>
            <button type="submit" class="primary">Save with message</button>
          </form>
        </div>
        <button type="button" class="history">History</button>
        <button type="button" class="share">Share</button>
        <button type="button" class="presenting" hidden
          title="Viewers of your live links follow your selections; open Share to see or revoke them">Presenting</button>
      </div>
      <div class="group version">
        <button type="button" class="latest">Open latest</button>
        <button type="button" class="restore">Restore this version</button>
      </div>
      <div class="group view-only">
        <button type="button" class="history">History</button>
      </div>
      <button type="button" class="clone" title="Copy this layout into one you can edit; the original never changes">Clone</button>
      <button type="button" class="new hide-narrow" title="Start a new, empty layout">New</button>`;
    const $ = (selector) => this.#root.querySelector(selector);
    const title = $(".title");
    title.addEventListener("change", () => {
      title.value = cleanTitle(title.value);
      this.#title = title.value;
      emit(this, "renamed", { title: title.value });
    });
    title.addEventListener("keydown", (event) => {
      if (event.key === "Enter") title.blur();
      if (event.key === "Escape") { title.value = this.#title; title.blur(); }
    });
    $(".save").addEventListener("click", () => emit(this, "save-requested", {}));
    const popover = $("#save-with");
    popover.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      this.author = String(data.get("author") ?? "").trim();
      emit(this, "save-requested", { author: this.author, message: String(data.get("message") ?? "").trim() });
      event.target.message.value = "";
      popover.hidePopover();
    });
    // beforetoggle runs synchronously as the popover opens (toggle comes later, and would
    // overwrite what the user may already have typed)
    popover.addEventListener("beforetoggle", (event) => {
      if (event.newState !== "open") return;
      popover.querySelector("[name=author]").value = this.author;
      const anchor = $(".more").getBoundingClientRect();
      popover.style.top = `${anchor.bottom + 6}px`;
      popover.style.left = `${Math.max(8, anchor.right - 280)}px`;
    });
    popover.addEventListener("toggle", (event) => {
      const message = popover.querySelector("[name=message]");
      if (event.newState === "open" && this.#root.activeElement?.closest?.("[popover]") !== popover) message.focus();
    });
    for (const button of this.#root.querySelectorAll(".history")) {
      button.addEventListener("click", () => emit(this, "history-requested"));
    }
    $(".share").addEventListener("click", () => emit(this, "share-requested"));
    $(".presenting").addEventListener("click", () => emit(this, "share-requested"));
    $(".clone").addEventListener("click", () => emit(this, "clone-requested"));
    $(".new").addEventListener("click", () => emit(this, "new-requested"));
    $(".latest").addEventListener("click", () => emit(this, "latest-requested"));
    $(".behind").addEventListener("click", () => emit(this, "catch-up-requested"));
    $(".restore").addEventListener("click", () => emit(this, "restore-requested", { version: this.#saveState?.version }));
  }

  set presenting(count) {
    const button = this.#root.querySelector(".presenting");
    button.hidden = !count;
    button.textContent = count > 1 ? `Presenting · ${count}` : "Presenting";
    button.setAttribute("aria-label", count > 1 ? `Presenting live on ${count} links` : "Presenting live");
  }

  get saveState() { return this.#saveState; }
  set saveState(value) { this.#saveState = value; this.#queue(); }

  get layoutTitle() { return this.#title; }
  set layoutTitle(value) { this.#title = cleanTitle(value); this.#queue(); }

  get mode() { return this.#mode; }
  set mode(value) { this.#mode = value; this.#queue(); }

  get latestVersion() { return this.#latestVersion; }
  set latestVersion(value) { this.#latestVersion = value; this.#queue(); }

  /** Render now (tests and the session call this after a batch of changes). */
  render() {
    const $ = (selector) => this.#root.querySelector(selector);
    const state = this.#saveState ?? { status: "new", version: null };
    const title = $(".title");
    if (this.#root.activeElement !== title) title.value = this.#title;
    title.readOnly = this.#mode !== "edit";
    const status = $(".status");
    let text = label(state);
    if (this.#mode === "version") text = `Version ${state.version}${this.#latestVersion ? ` of ${this.#latestVersion}` : ""} · read-only`;
    if (this.#mode === "view-only") text = `View only · v${state.version ?? "?"}`;
    status.textContent = text;
    status.className = `chip status ${{ saved: "ok", unsaved: "warn", conflict: "bad", error: "bad", new: "accent" }[state.status] ?? ""}`;
    status.title = state.error ?? (this.#mode === "view-only" ? "This browser holds no edit key for this layout: clone it to edit." : "");
    const behind = this.#mode === "edit" && state.theirs > state.version && state.status !== "conflict";
    $(".behind").hidden = !behind;
    $(".behind").textContent = behind ? `v${state.theirs} saved elsewhere · Open` : "";
    $(".group.edit").hidden = this.#mode !== "edit";
    $(".group.version").hidden = this.#mode !== "version";
    $(".group.view-only").hidden = this.#mode !== "view-only";
    $(".restore").hidden = !state.editable;
    $(".save").disabled = state.status === "saved" || state.status === "saving";
    $(".save").textContent = state.status === "saving" ? "Saving…" : "Save";
    $(".clone").hidden = state.version === null;
    $(".group.edit .share").disabled = state.version === null;
    $(".group.edit .history").disabled = state.version === null;
  }

  #queue() {
    if (this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      this.render();
    });
  }
}
