// The editing shell's layout session: which layout is on screen, whether this browser can
// save it, its local draft, and the Save / Clone / Restore / conflict flows (History and
// Share are in layout-panels.js).
// It joins the DOM-free modules (document, save-state, drafts, API client) to the
// workspace and the layouts elements; the elements only render and dispatch.

import { BusValues } from "../bus/persist.js";
import { ApiError, ConflictError } from "./api-client.js";
import { fromAnswer, toDocument, windows } from "./document.js";
import { LayoutPanels } from "./layout-panels.js";
import { layoutPath } from "./routes.js";
import { LayoutSeed } from "./seed.js";
import { initialState, isBehind, isDirty, reduce } from "./save-state.js";

export class LayoutSession extends EventTarget {
  id = null;
  mode = "edit"; // edit | version | view-only
  state = initialState();
  latestVersion = null;
  parent = null;
  role = null; // owner | edit | null

  #api;
  #drafts;
  #workspace;
  #ui;
  #title = "Untitled layout";
  #extra = {}; // description, owner, wiring, viewState carried from the loaded document
  #rebase = false;
  #author = "";
  #values = null; // BusValues: the bus's current values, kept per layout in this tab
  #seed; // the layout the page carried (seed.js): the first open needs no round trip

  constructor({ api, drafts, workspace, ui, seed = new LayoutSeed() }) {
    super();
    this.#api = api;
    this.#seed = seed;
    this.#drafts = drafts;
    this.#workspace = workspace;
    this.#ui = ui;
    this.#author = readAuthor();
    ui.bar.author = this.#author;
    this.panels = new LayoutPanels(this, api, ui);
    this.#listen();
  }

  /**
   * The shell's bus: its current values survive a reload of this tab (per layout), and a
   * live view link made in the Share dialog is presented on through `presenter`.
   */
  attachBus({ bus, presenter = null }) {
    this.#values = new BusValues(bus);
    this.panels.presenter = presenter;
    if (this.state.version !== null || this.id) this.#opened();
  }

  /** A layout is on screen: its kept bus values come back; its live links are this tab's to present. */
  #opened() {
    this.#values?.use(this.id ?? "new");
    this.panels.presenter?.attach(this.role === "owner" ? this.id : null, () => this.credential);
  }

  /** Titles of the windows on screen, by windowId (to name them in a diff). */
  windowTitles() {
    return new Map(windows(this.#workspace.toConfig()).map((w) => [w.windowId, w.title]));
  }

  /** The view state a share link carries (what the sender sees). */
  get viewState() {
    return this.#workspace.withSelections(this.#extra.viewState ?? undefined);
  }

  /** The workspace's store: drafts follow the layout on screen. */
  get store() {
    return { load: () => null, save: (config) => this.#edited(config), clear: () => {} };
  }

  get credential() {
    return this.id ? this.#drafts.editKey(this.id) : null;
  }

  async open(route) {
    this.#workspace.opening = true; // windows added before the layout is in wait for it (workspace.js)
    try {
      if (route.kind === "home") {
        const fresh = new URLSearchParams(location.search).has("new");
        if (fresh) {
          this.#drafts.lastLayout = null; // "New layout": start one (a never-saved draft is kept)
          history.replaceState(null, "", "/");
        } // a browser with no layout of its own opens the first-run default ("Web analytics")
        const last = this.#drafts.lastLayout
          ?? (fresh || this.#drafts.loadDraft(null) ? null : this.#seed.defaultId ?? await this.#api.defaultLayout());
        if (last) {
          history.replaceState(null, "", layoutPath(last));
          return await this.#openLayout(last, null, { fallbackToNew: true });
        }
        return this.#openNew();
      }
      if (route.kind === "layout") return await this.#openLayout(route.id, null);
      if (route.kind === "version") return await this.#openLayout(route.id, route.version);
      if (route.kind === "edit") return await this.#openEditLink(route.token);
      return this.#showProblem("This page does not exist", `Nothing lives at ${route.path ?? location.pathname}.`);
    } catch (error) {
      return this.#showError(error);
    } finally {
      this.#workspace.opening = false;
    }
  }

  // ---- opening -------------------------------------------------------------------------

  #openNew() {
    this.id = null;
    this.mode = "edit";
    this.role = "owner";
    this.parent = null;
    const draft = this.#drafts.loadDraft(null);
    this.#title = draft?.document?.title ?? "Untitled layout";
    this.#extra = {};
    this.state = initialState();
    this.#rebase = false;
    this.#workspace.load(draft?.document?.layout ?? null, { wiring: draft?.document?.wiring ?? null });
    this.#opened();
    this.#render();
  }

  async #openLayout(id, version, { fallbackToNew = false } = {}) {
    this.#ui.setLoading(true);
    let answer;
    try {
      answer = this.#seed.take(id, version) ?? await this.#api.get(id, version);
    } catch (error) {
      if (fallbackToNew && error instanceof ApiError && [404, 410].includes(error.status)) {
        this.#drafts.lastLayout = null;
        history.replaceState(null, "", "/");
        return this.#openNew();
      }
      throw error;
    } finally {
      this.#ui.setLoading(false);
    }
    this.id = answer.id ?? id;
    this.parent = answer.parent ?? null;
    this.latestVersion = answer.latestVersion ?? answer.latest ?? (version ? null : answer.version);
    const credential = this.credential;
    this.role = credential ? await this.#roleOf(credential) : null;
    if (credential && !this.role) this.#drafts.forgetEditKey(this.id);
    const editable = Boolean(this.role);
    const loaded = fromAnswer(answer);
    this.#title = loaded.title;
    this.#extra = { description: loaded.description, owner: loaded.owner, wiring: loaded.wiring, viewState: loaded.viewState };
    if (version) {
      this.mode = "version";
      if (this.latestVersion === null) this.latestVersion = (await this.#api.versions(this.id)).reduce((m, v) => Math.max(m, v.version), 0) || null;
      this.state = { ...initialState({ version: answer.version, editable }), status: "readonly" };
      this.#workspace.load(loaded.layout, { locked: true, wiring: loaded.wiring });
    } else if (!editable) {
      this.mode = "view-only";
      this.state = initialState({ version: answer.version, editable: false });
      this.#workspace.load(loaded.layout, { locked: true, wiring: loaded.wiring });
    } else {
      this.mode = "edit";
      this.#drafts.lastLayout = this.id;
      const draft = this.#drafts.loadDraft(this.id);
      this.state = initialState({ version: draft ? draft.baseVersion ?? answer.version : answer.version });
      if (draft) {
        this.#title = draft.document.title ?? this.#title;
        this.state = { ...this.state, status: "unsaved", saved: null };
        this.#rebase = draft.baseVersion === answer.version ? "compare" : false;
        this.#workspace.load(draft.document.layout, { wiring: draft.document.wiring ?? loaded.wiring });
      } else {
        this.#rebase = true;
        this.#workspace.load(loaded.layout, { wiring: loaded.wiring });
      }
      // the baseline is the layout as the workspace shows it, taken now (not after the store's debounce)
      if (this.#rebase) this.#edited(this.#workspace.toConfig());
    }
    document.title = `${this.#title} · Tessera`;
    this.#opened();
    this.#render();
  }

  async #openEditLink(token) {
    const shared = await this.#api.resolve(token);
    const id = shared.id ?? shared.layoutId ?? shared.layout?.id;
    if ((shared.role ?? "edit") !== "edit") {
      location.replace(`/v/${encodeURIComponent(token)}`);
      return;
    }
    const existing = this.#drafts.editKey(id);
    if (!existing || (await this.#roleOf(existing)) !== "owner") this.#drafts.rememberEditKey(id, token);
    history.replaceState(null, "", layoutPath(id)); // the token leaves the address bar
    await this.#openLayout(id, null);
  }

  async #roleOf(credential) {
    try {
      const access = await this.#api.access(this.id, credential);
      return access.canSave ? access.role : null;
    } catch {
      return null;
    }
  }

  // ---- editing and saving ----------------------------------------------------------------

  currentDocument(config = this.#workspace.toConfig()) {
    return toDocument({ title: this.#title, config, ...this.#extra, wiring: this.#workspace.wiring ?? this.#extra.wiring });
  }

  #edited(config) {
    if (this.mode !== "edit") return;
    const document = this.currentDocument(config);
    if (this.#rebase === true) {
      this.#rebase = false;
      this.state = reduce(this.state, { type: "loaded", version: this.state.version, document, editable: true });
    } else if (this.#rebase === "compare") {
      // a draft on top of the latest version: is it any different from that version (seen through the workspace)?
      this.#rebase = false;
      this.state = reduce(this.state, { type: "edited", document });
    } else {
      this.state = reduce(this.state, { type: "edited", document });
    }
    if (this.state.status === "saved") this.#drafts.clearDraft(this.id);
    else this.#drafts.saveDraft(this.id, this.state.version, document);
    this.#render();
  }

  rename(title) {
    this.#title = title;
    document.title = `${title} · Tessera`;
    if (this.mode === "edit") this.#edited(this.#workspace.toConfig());
  }

  async save({ author, message } = {}) {
    if (this.mode !== "edit" || this.state.status === "saving") return;
    if (author !== undefined) this.#rememberAuthor(author);
    if (!this.#extra.owner && this.#author) this.#extra.owner = this.#author; // owner is free text until accounts exist
    const document = this.currentDocument();
    this.state = reduce(reduce(this.state, { type: "edited", document }), { type: "save-started" });
    this.#render();
    const meta = { author: author ?? this.#author, message };
    try {
      if (!this.id) {
        const created = await this.#api.create(document, meta);
        this.#drafts.rememberEditKey(created.id, created.editKey);
        this.#drafts.clearDraft(null);
        this.#drafts.lastLayout = created.id;
        this.id = created.id;
        this.role = "owner";
        this.#opened(); // the values kept for the never-saved layout now belong to this id
        history.replaceState(null, "", layoutPath(created.id));
        this.state = reduce(this.state, { type: "saved", version: created.version, document });
      } else {
        const saved = await this.#api.save(this.id, document, { version: this.state.version, credential: this.credential, ...meta });
        this.state = reduce(this.state, { type: "saved", version: saved.version, document });
        this.latestVersion = saved.version;
      }
      if (this.state.status === "saved") this.#drafts.clearDraft(this.id);
      this.#ui.toast(`Saved version ${this.state.version}`);
    } catch (error) {
      if (error instanceof ConflictError) {
        this.state = reduce(this.state, { type: "conflict", version: error.currentVersion });
        this.#ui.conflict.mine = this.state.version;
        this.#ui.conflict.theirs = error.currentVersion;
        this.#ui.conflict.open();
      } else {
        const why = error.status === 401 || error.status === 403
          ? `this browser's edit key was refused (${error.message})` : error.message;
        this.state = reduce(this.state, { type: "failed", message: why });
        this.#ui.toast(`Not saved: ${why}. Your changes are kept in this browser.`, "error");
      }
    }
    this.#render();
  }

  async resolveConflict(choice) {
    if (choice === "cancel") return;
    const document = this.currentDocument();
    try {
      if (choice === "theirs") {
        this.#drafts.clearDraft(this.id);
        await this.#openLayout(this.id, null);
        this.#ui.toast(`Showing version ${this.state.version}, the latest`);
      } else if (choice === "overwrite") {
        this.state = { ...this.state, version: this.state.theirs, status: "unsaved" };
        await this.save();
      } else if (choice === "clone") {
        const clone = await this.#api.clone(this.id, { version: this.state.version });
        await this.#api.save(clone.id, document, { version: clone.version, credential: clone.editKey, author: this.#author,
          message: "my edits, saved as a clone after a conflict" });
        this.#drafts.rememberEditKey(clone.id, clone.editKey);
        this.#drafts.clearDraft(this.id);
        this.#drafts.lastLayout = clone.id;
        location.assign(layoutPath(clone.id));
      }
    } catch (error) {
      this.#ui.toast(error.message, "error");
    }
  }

  async clone() {
    try {
      const title = `${this.#title} (copy)`.slice(0, 200);
      const clone = await this.#api.clone(this.id, { version: this.state.version, title });
      this.#drafts.rememberEditKey(clone.id, clone.editKey);
      this.#drafts.lastLayout = clone.id;
      location.assign(layoutPath(clone.id));
    } catch (error) {
      this.#ui.toast(`Could not clone: ${error.message}`, "error");
    }
  }

  async restore(version) {
    if (isDirty(this.state) && !confirm("Restoring replaces your unsaved changes on screen. Restore anyway?")) return;
    try {
      const restored = await this.#api.restore(this.id, version, { credential: this.credential, author: this.#author });
      this.#drafts.clearDraft(this.id);
      this.#ui.history.close();
      if (this.mode !== "edit") {
        location.assign(layoutPath(this.id));
        return;
      }
      await this.#openLayout(this.id, null);
      this.#ui.toast(`Restored version ${version} as version ${restored.version ?? this.state.version}`);
    } catch (error) {
      this.#ui.toast(`Could not restore: ${error.message}`, "error");
    }
  }

  newLayout() {
    const draft = this.#drafts.loadDraft(null);
    if (!this.id && draft && !confirm("Discard the layout you have not saved yet?")) return;
    this.#drafts.clearDraft(null);
    this.#drafts.lastLayout = null;
    location.assign("/");
  }

  /** Has someone saved a newer version (another tab, a colleague)? Asked when the tab comes back into view. */
  async checkLatest() {
    if (this.mode !== "edit" || !this.id || this.state.status === "saving") return;
    try {
      const access = await this.#api.access(this.id, this.credential);
      this.state = reduce(this.state, { type: "behind", version: access.version });
      this.#render();
    } catch {
      // offline: the next save will tell
    }
  }

  /** The stale chip was pressed: reload theirs, or let the user choose if there are edits to lose. */
  catchUp() {
    if (!isBehind(this.state)) return;
    if (isDirty(this.state)) {
      this.#ui.conflict.mine = this.state.version;
      this.#ui.conflict.theirs = this.state.theirs;
      this.state = reduce(this.state, { type: "conflict", version: this.state.theirs });
      this.#render();
      this.#ui.conflict.open();
    } else {
      this.resolveConflict("theirs");
    }
  }

  // ---- wiring the elements ---------------------------------------------------------------

  #listen() {
    const { bar, history: panel, conflict } = this.#ui;
    bar.addEventListener("tessera-layout-bar-renamed", (e) => this.rename(e.detail.title));
    bar.addEventListener("tessera-layout-bar-save-requested", (e) => this.save(e.detail));
    bar.addEventListener("tessera-layout-bar-history-requested", () => this.panels.showHistory());
    bar.addEventListener("tessera-layout-bar-share-requested", () => this.panels.showShare());
    bar.addEventListener("tessera-layout-bar-clone-requested", () => this.clone());
    bar.addEventListener("tessera-layout-bar-new-requested", () => this.newLayout());
    bar.addEventListener("tessera-layout-bar-latest-requested", () => location.assign(layoutPath(this.id)));
    bar.addEventListener("tessera-layout-bar-restore-requested", (e) => this.restore(e.detail.version));
    bar.addEventListener("tessera-layout-bar-catch-up-requested", () => this.catchUp());
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") this.checkLatest(); });
    window.addEventListener("focus", () => this.checkLatest());
    panel.addEventListener("tessera-history-panel-restore-requested", (e) => this.restore(e.detail.version));
    conflict.addEventListener("tessera-conflict-dialog-resolved", (e) => this.resolveConflict(e.detail.choice));
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        this.save();
      }
    });
  }

  #render() {
    const { bar } = this.#ui;
    bar.layoutTitle = this.#title;
    bar.mode = this.mode;
    bar.latestVersion = this.latestVersion;
    bar.saveState = this.state;
    this.#ui.setLocked(this.mode !== "edit");
    this.dispatchEvent(new Event("change"));
  }

  #showError(error) {
    if (error instanceof ApiError && error.status === 404) {
      return this.#showProblem("No such layout", "This layout or version does not exist. It may have been mistyped.");
    }
    if (error instanceof ApiError && error.status === 410) return this.#showProblem("This layout is gone", error.message);
    return this.#showProblem("The layout could not be opened", error.message ?? String(error), true);
  }

  #showProblem(title, detail, retry = false) {
    this.#ui.showProblem({ title, detail, retry });
  }

  #rememberAuthor(author) {
    this.#author = author;
    try {
      localStorage.setItem("tessera.author", author);
    } catch {
      // not remembered
    }
  }
}

function readAuthor() {
  try {
    return localStorage.getItem("tessera.author") ?? "";
  } catch {
    return "";
  }
}
