// The shell's entry: wires the catalogue feed, the bus, the workspace, the header and the
// layout session (save, history, share, clone), or the gallery page on /gallery.
// The casual view (/v/{token}) is a separate entry, view.js.

import "./tessera-catalogue-define.js";
import "./tessera-widget-frame-define.js";
import "./layouts/ui/define-editor.js";
import { BusBridge } from "./bus/bridge.js";
import { WiringPanel, wireOverlay } from "./bus/bus-ui.js";
import { LivePresenter } from "./bus/live.js";
import { ShellBus } from "./bus/shell-bus.js";
import { CatalogueFeed } from "./catalogue-feed.js";
import { LayoutsApi } from "./layouts/api-client.js";
import { DraftStore } from "./layouts/draft-store.js";
import { windows } from "./layouts/document.js";
import { LayoutSession } from "./layouts/layout-session.js";
import { parseRoute } from "./layouts/routes.js";
import { applyTheme, storedTheme } from "./theme.js";
import { startPopout } from "./popout.js";
import { Workspace } from "./workspace.js";

function setUpTheme(onChange = () => {}) {
  let theme = applyTheme(storedTheme());
  const themeButton = document.querySelector("#theme-toggle");
  const showTheme = () => {
    themeButton.setAttribute("aria-label", theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme");
    themeButton.title = themeButton.getAttribute("aria-label");
    themeButton.dataset.theme = theme;
  };
  themeButton.addEventListener("click", () => {
    theme = applyTheme(theme === "dark" ? "light" : "dark");
    onChange(theme);
    showTheme();
  });
  showTheme();
  return theme;
}

async function startGallery(api) {
  document.body.dataset.page = "gallery";
  document.title = "Layouts · Tessera";
  document.querySelector(".app-main").hidden = true;
  document.querySelector("#toggle-catalogue").hidden = true;
  document.querySelector("#gallery-page").hidden = false;
  setUpTheme();
  const gallery = document.querySelector("tessera-layout-gallery");
  const params = new URLSearchParams(location.search);
  gallery.setAttribute("query", params.get("q") ?? "");
  gallery.setAttribute("owner", params.get("owner") ?? "");
  const load = async ({ q, owner }) => {
    gallery.items = null;
    try {
      gallery.items = await api.gallery({ q, owner });
    } catch (error) {
      gallery.error = error.message;
    }
  };
  gallery.addEventListener("tessera-layout-gallery-search-requested", (event) => {
    const query = new URLSearchParams(Object.entries(event.detail).filter(([, v]) => v));
    history.replaceState(null, "", `/gallery${query.size ? `?${query}` : ""}`);
    load(event.detail);
  });
  await load({ q: params.get("q"), owner: params.get("owner") });
  window.tessera = { api, gallery };
}

function toaster() {
  const box = document.querySelector("#toasts");
  return (text, kind = "info") => {
    const toast = document.createElement("div");
    toast.className = `toast ${kind}`;
    toast.textContent = text;
    box.append(toast);
    setTimeout(() => toast.remove(), kind === "error" ? 8000 : 3500);
  };
}

function startWorkspace(api, route) {
  document.body.dataset.page = "workspace";
  const bus = new ShellBus();
  const catalogue = new CatalogueFeed();
  const workspaceElement = document.querySelector("#workspace");
  const ui = {
    bar: document.querySelector("tessera-layout-bar"),
    history: document.querySelector("tessera-history-panel"),
    share: document.querySelector("tessera-share-dialog"),
    conflict: document.querySelector("tessera-conflict-dialog"),
    toast: toaster(),
    setLoading: (on) => { document.querySelector("#workspace-loading").hidden = !on; },
    setLocked: (locked) => { document.body.classList.toggle("layout-locked", locked); },
    showProblem: ({ title, detail, retry }) => {
      const box = document.querySelector("#workspace-problem");
      box.querySelector("h1").textContent = title;
      box.querySelector("p").textContent = detail;
      box.querySelector(".retry").hidden = !retry;
      box.hidden = false;
      document.body.classList.add("layout-missing");
    },
  };
  document.querySelector("#workspace-problem .retry").addEventListener("click", () => location.reload());

  let session;
  const store = { load: () => null, save: (config) => session?.store.save(config), clear: () => {} };
  const theme = setUpTheme((value) => workspace.setTheme(value));
  const workspace = new Workspace(workspaceElement, { catalogue, bus, store, theme });
  session = new LayoutSession({ api, drafts: new DraftStore(), workspace, ui });

  const catalogueElement = document.querySelector("tessera-catalogue");
  catalogueElement.dragSource = (element, entry) => workspace.dragSource(element, entry);
  catalogueElement.feed = catalogue;
  catalogueElement.addEventListener("tessera-catalogue-selected", (event) => workspace.addWidget(event.detail.entry));

  const empty = document.querySelector("#workspace-empty");
  workspace.addEventListener("change", () => { empty.hidden = !workspace.isEmpty || workspace.locked; });

  document.querySelector("#reset-layout").addEventListener("click", () => workspace.reset());
  const titles = () => new Map(windows(workspace.toConfig()).map((w) => [w.windowId, w.title]));
  const wiringPanel = new WiringPanel(bus, { titles });
  document.querySelector("#open-wiring").addEventListener("click", () => wiringPanel.open());
  wireOverlay(bus, workspaceElement, () => workspace.frames);
  // the bus spans this window's popouts (golden-layout windows of this page load)
  const busSession = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const bridge = new BusBridge(bus, busSession, { role: "main" });
  bridge.onChanged = () => workspace.markChanged();
  // live view links (the Share dialog's "Live" option) present this bus; its values survive a reload
  const presenter = new LivePresenter(bus);
  session.attachBus({ bus, presenter });
  const sidebarButton = document.querySelector("#toggle-catalogue");
  sidebarButton.addEventListener("click", () => {
    const open = document.body.classList.toggle("catalogue-closed") === false;
    sidebarButton.setAttribute("aria-expanded", String(open));
  });

  const connection = document.querySelector("#connection");
  catalogue.addEventListener("change", () => {
    const state = catalogue.stale ? "offline" : catalogue.mode === "live" ? "live" : "polling";
    connection.dataset.state = state;
    connection.textContent = { live: "Live", polling: "Polling", offline: "Registry offline" }[state];
    connection.title = catalogue.error ?? (state === "live" ? "Catalogue updates stream live" : "Catalogue refreshes every 5 s");
  });

  catalogue.start();
  session.open(route);
  // A handle for debugging and end-to-end tests.
  window.tessera = { bus, bridge, busSession, presenter, catalogue, workspace, session, api, wiringPanel };
}

function start() {
  // a golden-layout popout of this page: its own minimal shell, before anything else
  if (new URLSearchParams(location.search).has("gl-window")) return startPopout();
  const api = new LayoutsApi();
  const route = parseRoute(location.pathname);
  if (route.kind === "gallery") startGallery(api);
  else startWorkspace(api, route);
}

start();
