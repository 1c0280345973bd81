// The History panel and the Share dialog of the editing shell: what they ask of the API
// for the layout a LayoutSession has on screen. The elements render and dispatch; this
// answers their events. A live view link's relay is presented on from this tab through
// `presenter` (a LivePresenter, given by the shell; without one a link is never live).

import { summarize } from "./diff-summary.js";

export class LayoutPanels {
  #session;
  #api;
  #ui;
  #presenter = null;

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
    share.addEventListener("tessera-share-dialog-present-requested", (e) => this.presentLink(e.detail.link));
    share.addEventListener("tessera-share-dialog-reload-requested", () => this.#loadLinks());
  }

  get presenter() { return this.#presenter; }

  /** The LivePresenter of this tab; the title bar shows while it presents. */
  set presenter(presenter) {
    this.#presenter = presenter;
    const show = () => { this.#ui.bar.presenting = presenter?.links.length ?? 0; };
    presenter?.addEventListener("change", show);
    show();
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
      const links = await this.#api.links(this.#session.id, this.#session.credential);
      // this tab stops presenting on links that are no longer active (revoked elsewhere, expired)
      for (const id of this.presenter?.links ?? []) if (!links.some((l) => l.id === id)) this.presenter.forget(id);
      dialog.presenting = new Set(this.presenter?.links ?? []);
      dialog.links = links;
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
      const { selections = true, live = false, ...rest } = request;
      // the current selections ride along only when the sender chooses; `live` is the server's to record
      const { selections: current, live: _relay, ...viewState } = this.#session.viewState ?? {};
      if (selections && current) viewState.selections = current;
      const wantLive = Boolean(live && this.presenter && rest.role === "view");
      const created = await this.#api.createLink(this.#session.id,
        { ...rest, live: wantLive, viewState: Object.keys(viewState).length ? viewState : undefined }, this.#session.credential);
      if (wantLive && created.live) this.presenter.present(created.id, created.live);
      dialog.created = created;
      await this.#loadLinks();
    } catch (error) {
      dialog.error = error.message;
    } finally {
      dialog.busy = false;
      dialog.render();
    }
  }

  /** Make this tab the presenter of live link `link` (after a reload in another tab, or a restart). */
  async presentLink(link) {
    if (!this.presenter || !link?.live) return;
    if (await this.presenter.reopen(link.id)) this.#ui.toast("Presenting live from this tab: the link's viewers follow your selections");
    else this.#ui.toast("Could not present on this link; it may have been revoked", "error");
    await this.#loadLinks();
  }

  async revokeLink(link) {
    try {
      await this.#api.revokeLink(this.#session.id, link.id, this.#session.credential);
      this.presenter?.forget(link.id); // the server closed its relay: its viewers' streams ended
      this.#ui.toast("Link revoked: it now opens a “link revoked” page");
    } catch (error) {
      this.#ui.toast(`Could not revoke: ${error.message}`, "error");
    }
    await this.#loadLinks();
  }
}
