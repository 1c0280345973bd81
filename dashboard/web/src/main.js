// The shell's entry: wires the catalogue feed, the bus, the workspace and the header.

import "./tessera-catalogue-define.js";
import "./tessera-widget-frame-define.js";
import { ShellBus } from "./bus.js";
import { CatalogueFeed } from "./catalogue-feed.js";
import { LocalLayoutStore } from "./layout-store.js";
import { applyTheme, storedTheme } from "./theme.js";
import { Workspace } from "./workspace.js";

function start() {
  let theme = applyTheme(storedTheme());
  const bus = new ShellBus();
  const catalogue = new CatalogueFeed();
  const workspaceElement = document.querySelector("#workspace");
  const workspace = new Workspace(workspaceElement, { catalogue, bus, store: new LocalLayoutStore(), theme });

  const catalogueElement = document.querySelector("tessera-catalogue");
  catalogueElement.dragSource = (element, entry) => workspace.dragSource(element, entry);
  catalogueElement.feed = catalogue;
  catalogueElement.addEventListener("tessera-catalogue-selected", (event) => workspace.addWidget(event.detail.entry));

  const empty = document.querySelector("#workspace-empty");
  workspace.addEventListener("change", () => { empty.hidden = !workspace.isEmpty; });

  const themeButton = document.querySelector("#theme-toggle");
  const showTheme = () => {
    themeButton.setAttribute("aria-label", theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme");
    themeButton.title = themeButton.getAttribute("aria-label");
    themeButton.dataset.theme = theme;
  };
  themeButton.addEventListener("click", () => {
    theme = applyTheme(theme === "dark" ? "light" : "dark");
    workspace.setTheme(theme);
    showTheme();
  });
  showTheme();

  document.querySelector("#reset-layout").addEventListener("click", () => workspace.reset());
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
  workspace.start();
  // A handle for debugging and end-to-end tests; the bus wiring between widgets comes later.
  window.tessera = { bus, catalogue, workspace };
}

start();
