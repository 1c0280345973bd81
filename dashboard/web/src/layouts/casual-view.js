// The casual view's renderer (loaded by view.js): golden-layout with a locked config, one
// <tessera-widget-frame> per window, the header's title, theme and "Clone to edit".

import "../tessera-widget-frame-define.js";
import { GoldenLayout } from "golden-layout";
import { ShellBus } from "../bus.js";
import { COMPONENT_TYPE, fromAnswer, lockedConfig, withWindowIds } from "./document.js";
import { DraftStore } from "./draft-store.js";
import { layoutPath } from "./routes.js";

const LIVE_FEED_DELAY_MS = 1500;
const $ = (selector) => document.querySelector(selector);

async function post(url, body) {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body), referrerPolicy: "no-referrer",
    headers: { "Content-Type": "application/json", Accept: "application/json" } });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer?.detail?.[0]?.msg ?? answer?.title ?? `HTTP ${response.status}`);
  return answer;
}


/** Show `shared` (the API's answer for a share link); `theme` is {current(), listen(fn)}. */
export function render(shared, catalogue, theme) {
  const frames = new Set();
  theme.listen((value) => { for (const frame of frames) frame.theme = value; });
  const bus = new ShellBus();
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
      // then the live feed (staleness, new versions), once the widgets have had their data requests answered
      setTimeout(() => catalogue.start(), LIVE_FEED_DELAY_MS);
    }
  };
  layout.registerComponentFactoryFunction(COMPONENT_TYPE, (container, state) => {
    const frame = document.createElement("tessera-widget-frame");
    frame.catalogue = catalogue;
    frame.bus = bus;
    frame.widgetAttributes = { ...(state?.attributes ?? {}) };
    frame.pinnedVersion = state?.version ?? null;
    frame.theme = theme.current();
    frame.widgetId = state?.widgetId ?? "";
    pending += 1;
    frame.addEventListener("tessera-widget-frame-loaded", settle, { once: true });
    frame.addEventListener("tessera-widget-frame-failed", settle, { once: true });
    container.element.append(frame);
    frames.add(frame);
    return undefined;
  });
  layout.loadLayout(lockedConfig(withWindowIds(doc.layout)));
  $("#workspace-loading").hidden = true;
  if (pending === 0) {
    document.body.dataset.state = "ready";
    catalogue.start();
  }

  const clone = $("#clone-to-edit");
  clone.hidden = false;
  clone.addEventListener("click", async () => {
    clone.disabled = true;
    clone.textContent = "Cloning…";
    try {
      const made = await post(`/api/v1/layouts/${encodeURIComponent(shared.id)}/clone`,
        { version: shared.version, title: `${doc.title} (my copy)`.slice(0, 200) });
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

