// The casual view's renderer (loaded by view.js): golden-layout with a locked config, one
// <tessera-widget-frame> per window, the header's title, theme and "Clone to edit".

import "../tessera-widget-frame-define.js";
import { GoldenLayout } from "golden-layout";
import { followLink, followLive } from "../bus/live.js";
import { BusValues } from "../bus/persist.js";
import { ShellBus } from "../bus/shell-bus.js";
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


const LIVE_TEXT = {
  connecting: ["Live · connecting", "Connecting to the presenter…"],
  live: ["● Live", "This view follows the presenter's selections as they make them"],
  reconnecting: ["Live · reconnecting", "The connection to the presenter dropped; reconnecting"],
  waiting: ["Live · waiting", "The presenter is not presenting right now; this view joins when they do"],
  ended: ["Live ended", "The presenter's live link was revoked or has expired"],
};

/** The header's live chip and `body[data-live]` (what tests wait for). */
function showLive(state) {
  document.body.dataset.live = state;
  let chip = $("#casual-live");
  if (!chip) {
    chip = document.createElement("span");
    chip.id = "casual-live";
    chip.className = "casual-chip";
    chip.setAttribute("role", "status");
    $("#casual-version")?.after(chip);
  }
  const [text, title] = LIVE_TEXT[state] ?? LIVE_TEXT.connecting;
  chip.textContent = text;
  chip.title = title;
  chip.classList.toggle("live", state === "live");
}

/** Show `shared` (the API's answer for a share link); `theme` is {current(), listen(fn)}. */
export function render(shared, catalogue, theme) {
  const frames = new Set();
  theme.listen((value) => { for (const frame of frames) frame.theme = value; });
  const doc = fromAnswer(shared);
  const bus = new ShellBus({ wiring: doc.wiring });
  // the selections the link was shared with (the sender's bus values) greet every window
  const selections = shared.viewState?.selections ?? doc.viewState?.selections;
  if (selections) bus.restore(selections);
  // what this tab's viewer selected before a reload (after the link's own selections)
  new BusValues(bus).use(`view:${shared.link?.id ?? shared.id}`);
  // a live link: follow the presenter's selections as they happen (the token, never the relay id)
  if (shared.link?.live || shared.viewState?.live === true) {
    const token = decodeURIComponent(location.pathname.split("/")[2] ?? "");
    followLink(bus, token, { onState: showLive });
  } else if (typeof shared.viewState?.live === "string") {
    followLive(bus, shared.viewState.live, { onState: showLive }); // an older link: a public relay by id
  }
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
    frame.windowId = state?.windowId ?? null;
    frame.widgetId = state?.widgetId ?? "";
    container.on("beforeComponentRelease", () => frame.release());
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

