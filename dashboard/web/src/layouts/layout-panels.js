// The History panel and the Share dialog of the editing shell: what they ask of the API
// for the layout a LayoutSession has on screen. The elements render and dispatch; this
// answers their events.

import { summarize } from "./diff-summary.js";

export class LayoutPanels {
  #session;
  #api;
  #ui;

  constructor(session, api, ui) {
    this.#session = session;
    this.#api = api;
    this.#ui = ui;
    const { history: panel, share } = ui;
    panel.addEventListener("tessera-history-panel-compare-requested", (e) => this.compare(e.detail.from, e.detail.to));
    panel.addEventListener("tessera-history-panel-parent-compare-requested",
      () => this.compare(null, this.#session.state.version, "parent"));
    panel.addEventListener("tessera-history-panel-reload-requested", () => this.showHistory());
    share.addEventListener("tessera-share-dialog-create-requested", (e) => this.createLink(e.detail));
    share.addEventListener("tessera-share-dialog-revoke-requested", (e) => this.revokeLink(e.detail.link));
    share.addEventListener("tessera-share-dialog-reload-requested", () => this.#loadLinks());
  }

  async showHistory() {
    const panel = this.#ui.history;
    panel.layoutId = this.#session.id;
    panel.editable = Boolean(this.#session.role);
    panel.currentVersion = this.#session.state.version;
    panel.parent = this.#session.parent;
    panel.diff = null;
    panel.versions = null;
    panel.open();
    try {
      panel.versions = await this.#api.versions(this.#session.id);
    } catch (error) {
      panel.error = `The history could not be loaded: ${error.message}`;
    }
  }

  async compare(from, to, against = null) {
    const panel = this.#ui.history;
    const title = against ? this.#parentTitle() : null;
    panel.diff = { from, to, title, loading: true };
    try {
      const diff = await this.#api.diff(this.#session.id, against ? { against } : { from, to });
      panel.diff = { from, to, title, lines: summarize(diff, this.#session.windowTitles()) };
    } catch (error) {
      panel.diff = { from, to, title, error: error.message };
    }
  }

  #parentTitle() {
    const p = this.#session.parent;
    const moved = p?.latestVersion && p.latestVersion > p.version ? ` (it has moved on to v${p.latestVersion})` : "";
    return `Changes since this layout was cloned from “${p?.title ?? p?.id}” v${p?.version}${moved}`;
  }

  async showShare() {
    const dialog = this.#ui.share;
    dialog.version = this.#session.state.version;
    dialog.links = null;
    dialog.open();
    await this.#loadLinks();
  }

  async #loadLinks() {
    const dialog = this.#ui.share;
    if (this.#session.role !== "owner") {
      dialog.linksError = "Only the holder of this layout's edit key can create and list links; an edit link cannot.";
      return;
    }
    try {
      dialog.links = await this.#api.links(this.#session.id, this.#session.credential);
    } catch (error) {
      dialog.linksError = error.message;
    }
  }

  async createLink(request) {
    const dialog = this.#ui.share;
    dialog.busy = true;
    dialog.error = null;
    dialog.render();
    try {
      const viewState = this.#session.viewState;
      dialog.created = await this.#api.createLink(this.#session.id, { ...request, viewState }, this.#session.credential);
      await this.#loadLinks();
    } catch (error) {
      dialog.error = error.message;
    } finally {
      dialog.busy = false;
      dialog.render();
    }
  }

  async revokeLink(link) {
    try {
      await this.#api.revokeLink(this.#session.id, link.id, this.#session.credential);
      this.#ui.toast("Link revoked: it now opens a “link revoked” page");
    } catch (error) {
      this.#ui.toast(`Could not revoke: ${error.message}`, "error");
    }
    await this.#loadLinks();
  }
}
