// The casual view (/v/{token}): a shared layout, clean and locked. A separate entry from
// the editing shell: no catalogue, no title bar, no history/share/editor code. Nothing
// moves or closes (reorderEnabled:false, non-closable, no maximise/popout, fixed
// splitters); widgets stay fully interactive. "Clone to edit" makes the visitor's own copy.
// An expired, revoked or unknown link shows a clear page.

import "./tessera-widget-frame-define.js";
import { GoldenLayout } from "golden-layout";
import { ShellBus } from "./bus.js";
import { CatalogueFeed } from "./catalogue-feed.js";
import { problemText } from "./layouts/api-client.js";
import { COMPONENT_TYPE, fromAnswer, lockedConfig, withWindowIds } from "./layouts/document.js";
import { DraftStore } from "./layouts/draft-store.js";
import { layoutPath } from "./layouts/routes.js";
import { applyTheme, storedTheme } from "./theme.js";

const $ = (selector) => document.querySelector(selector);

async function fetchJson(url, init) {
  const response = await fetch(url, { ...init, referrerPolicy: "no-referrer", cache: "no-store" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(problemText(body) || `HTTP ${response.status}`), { status: response.status, body });
  return body;
}

function showProblem(title, detail, retry = false) {
  $("#workspace-loading").hidden = true;
  const box = $("#workspace-problem");
  box.querySelector("h1").textContent = title;
  box.querySelector(".detail").textContent = detail;
  box.querySelector(".retry").hidden = !retry;
  box.hidden = false;
  document.title = `${title} · Tessera`;
  document.body.dataset.state = "problem";
}

function explain(error) {
  const type = error.body?.detail?.[0]?.type ?? "";
  const words = error.body?.detail?.[0]?.msg ?? error.message;
  if (error.status === 410 && type === "gone.expired") return ["This link has expired", `${capital(words)}.`];
  if (error.status === 410 && type === "gone.revoked") return ["This link was revoked", `${capital(words)}; ask the sender for a new one.`];
  if (error.status === 410) return ["This dashboard is no longer shared", `${capital(words)}.`];
  if (error.status === 404) return ["This link does not work", "No dashboard is shared under this link. Check that it was copied whole, or ask the sender for a new one."];
  if (!error.status) return ["Tessera is unreachable", "The dashboard could not be reached. Check your connection and try again.", true];
  return ["The shared dashboard could not be opened", words, true];
}

function capital(text) {
  const s = String(text ?? "");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function setUpTheme(frames) {
  let theme = applyTheme(storedTheme());
  const button = $("#theme-toggle");
  const show = () => {
    button.setAttribute("aria-label", theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme");
    button.title = button.getAttribute("aria-label");
    button.dataset.theme = theme;
  };
  button.addEventListener("click", () => {
    theme = applyTheme(theme === "dark" ? "light" : "dark");
    for (const frame of frames) frame.theme = theme;
    show();
  });
  show();
  return () => theme;
}

const frames = new Set();
const theme = setUpTheme(frames);

function render(shared) {
  const bus = new ShellBus();
  const catalogue = new CatalogueFeed();
  const doc = fromAnswer(shared);
  $("#casual-title").textContent = doc.title;
  document.title = `${doc.title} · Tessera`;
  const chip = $("#casual-version");
  chip.textContent = shared.link?.version === "latest" || shared.link?.version == null
    ? `Read-only · v${shared.version}` : `Read-only · version ${shared.version}`;
  chip.hidden = false;

  const element = $("#workspace");
  const layout = new GoldenLayout(element);
  layout.resizeWithContainerAutomatically = true;
  let pending = 0;
  const settle = () => {
    pending -= 1;
    if (pending === 0) {
      document.body.dataset.state = "ready";
      window.tesseraViewReady = performance.now();
    }
  };
  layout.registerComponentFactoryFunction(COMPONENT_TYPE, (container, state) => {
    const frame = document.createElement("tessera-widget-frame");
    frame.catalogue = catalogue;
    frame.bus = bus;
    frame.widgetAttributes = { ...(state?.attributes ?? {}) };
    frame.pinnedVersion = state?.version ?? null;
    frame.theme = theme();
    frame.widgetId = state?.widgetId ?? "";
    pending += 1;
    frame.addEventListener("tessera-widget-frame-loaded", settle, { once: true });
    frame.addEventListener("tessera-widget-frame-failed", settle, { once: true });
    container.element.append(frame);
    frames.add(frame);
    return undefined;
  });
  catalogue.start();
  layout.loadLayout(lockedConfig(withWindowIds(doc.layout)));
  $("#workspace-loading").hidden = true;
  if (pending === 0) document.body.dataset.state = "ready";

  const clone = $("#clone-to-edit");
  clone.hidden = false;
  clone.addEventListener("click", async () => {
    clone.disabled = true;
    clone.textContent = "Cloning…";
    try {
      const made = await fetchJson(`/api/v1/layouts/${encodeURIComponent(shared.id)}/clone`, {
        method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ version: shared.version, title: `${doc.title} (my copy)`.slice(0, 200) }),
      });
      const drafts = new DraftStore();
      drafts.rememberEditKey(made.id, made.editKey);
      drafts.lastLayout = made.id;
      location.assign(layoutPath(made.id));
    } catch (error) {
      clone.disabled = false;
      clone.textContent = "Clone to edit";
      clone.title = `Could not clone: ${error.message}`;
      alert(`Could not clone: ${error.message}`);
    }
  });
  window.tessera = { layout, catalogue, bus, frames, shared: { id: shared.id, version: shared.version, role: shared.role } };
}

async function start() {
  const token = decodeURIComponent(location.pathname.split("/")[2] ?? "");
  $("#workspace-problem .retry").addEventListener("click", () => location.reload());
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(token)) {
    showProblem("This link does not work", "The link is incomplete. Check that it was copied whole.");
    return;
  }
  let shared;
  try {
    shared = await fetchJson("/api/v1/shared", { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } });
  } catch (error) {
    const [title, detail, retry] = explain(error);
    showProblem(title, detail, retry);
    return;
  }
  render(shared);
}

start();
