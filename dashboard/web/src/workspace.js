// The golden-layout workspace: every window holds one <tessera-widget-frame>.
//
// Components are registered with golden-layout's standard factory (not virtual): the
// factory puts a frame into the container's element and golden-layout moves it with its
// window. The layout is persisted as golden-layout's own LayoutConfig (saveLayout →
// LayoutConfig.fromResolved) through a store with load/save/clear.
//
// The bus wiring (colour channels, wires) lives on the bus; the workspace loads it with a
// layout, puts a channel dot in each window's tab, drops the wiring of closed windows and
// counts a wiring change as a layout change.

import { GoldenLayout, LayoutConfig } from "golden-layout";
import { channelPicker } from "./bus/bus-ui.js";
import { normaliseWiring } from "./bus/wiring.js";
import { COMPONENT_TYPE, canonical, foldPopouts, lockedConfig, newWindowId, windows, withWindowIds } from "./layouts/document.js";
import { importModule, moduleUrl } from "./widget-module.js";

export { COMPONENT_TYPE };
const SAVE_DELAY_MS = 300;
const HOLD_MAX_MS = 400; // the longest a loading layout stays out of layout (see #holdSizing)

// golden-layout's LocationSelector.TypeId is a const enum (erased at build): its values.
const FIRST_ROW_OR_COLUMN = 3;
const ROOT = 7;
// New windows go side by side in the first row, else anywhere.
const ADD_LOCATIONS = [{ typeId: FIRST_ROW_OR_COLUMN }, { typeId: ROOT }];

const EMPTY_LAYOUT = {
  root: { type: "row", content: [] },
  // popouts: one window at a time, returned to its stack when its browser window closes
  settings: { showPopoutIcon: true, popInOnClose: true, popoutWholeStack: false, showMaximiseIcon: true, showCloseIcon: true,
    reorderEnabled: true },
  dimensions: { headerHeight: 30, borderWidth: 6, minItemHeight: 120, minItemWidth: 200 },
  header: { popout: "Open in a new window" },
};

export class Workspace extends EventTarget {
  frames = new Set();

  #element;
  #layout;
  #catalogue;
  #bus;
  #store;
  #theme;
  #saveTimer = null;
  #loading = false;
  #locked = false;
  #loadedWiring = null;
  #lastConfig = null;
  #opening = false;
  #queued = []; // [entry, attributes] added while a layout was opening

  constructor(element, { catalogue, bus, store, theme = "dark" }) {
    super();
    this.#element = element;
    this.#catalogue = catalogue;
    this.#bus = bus;
    this.#store = store;
    this.#theme = theme;
    // the page's workspace starts held (index.html): golden-layout's set-up does not force the
    // page's first layout before the widgets ask for data; released by load(), or HOLD_MAX_MS
    if (element.classList.contains("sizing-held")) setTimeout(() => this.#releaseSizing(), HOLD_MAX_MS);
    this.#layout = new GoldenLayout(element);
    this.#layout.resizeWithContainerAutomatically = true;
    this.#layout.registerComponentFactoryFunction(COMPONENT_TYPE, (container, state) => this.#createFrame(container, state));
    this.#layout.on("stateChanged", () => {
      this.#pruneWiring();
      this.#changed();
    });
    this.#layout.on("tabCreated", (tab) => this.#addChannelDot(tab));
    element.addEventListener("tessera-widget-frame-changed", () => this.#changed());
    bus?.addEventListener("wiring", (event) => { if (!event.detail?.silent) this.#changed(); });
  }

  get layout() { return this.#layout; }

  get isEmpty() {
    const root = this.#layout.rootItem;
    return !root || root.contentItems.length === 0;
  }

  /** Nothing can be moved, closed or added (a past version, or a layout this browser cannot edit). */
  get locked() { return this.#locked; }

  /** Restore the stored layout; a broken one is dropped rather than breaking the page. */
  start() {
    this.load(this.#store.load());
  }

  get bus() { return this.#bus; }

  /**
   * The wiring to save: the bus's, or exactly what was loaded when it means the same (so
   * opening a layout with no wiring never makes it "unsaved").
   */
  get wiring() {
    if (!this.#bus) return this.#loadedWiring;
    const current = this.#bus.wiring;
    return canonical(normaliseWiring(this.#loadedWiring)) === canonical(current) ? this.#loadedWiring : current;
  }

  /** `viewState` plus the current selections (the bus's last values), which a share link carries. */
  withSelections(viewState) {
    const selections = this.#bus?.snapshot();
    if (!selections || Object.keys(selections.channels).length + Object.keys(selections.wires).length === 0) {
      return viewState;
    }
    return { ...(viewState ?? {}), selections };
  }

  /** Show `config` (a LayoutConfig, or null for an empty layout); `locked` fixes everything in place. */
  load(config, { locked = false, wiring = null } = {}) {
    this.#locked = locked;
    this.#loadedWiring = wiring;
    this.#bus?.setWiring(wiring, { silent: true });
    this.#element.classList.toggle("locked", locked);
    this.#holdSizing(this.#prefetch(config));
    this.#loading = true;
    try {
      const base = config ? withWindowIds({ ...EMPTY_LAYOUT, ...config, header: EMPTY_LAYOUT.header,
        settings: { ...config.settings, ...EMPTY_LAYOUT.settings } }) : EMPTY_LAYOUT;
      this.#layout.loadLayout(locked ? lockedConfig(base) : base);
    } catch (error) {
      console.warn("Tessera: the saved layout could not be restored; starting empty.", error);
      if (!locked) this.#store.clear();
      this.#layout.loadLayout(EMPTY_LAYOUT);
    } finally {
      this.#loading = false;
    }
    this.#changed();
    const queued = this.#queued; // added while this layout was opening: they join it
    this.opening = false;
    for (const [entry, attributes] of queued) this.addWidget(entry, attributes);
  }

  componentState(entry, attributes = {}) {
    return { widgetId: entry.id, version: entry.version ?? null, attributes, windowId: newWindowId() };
  }

  /**
   * The session is opening a layout (its lookup or fetch is on its way). The catalogue works
   * before that (it comes with the page), and a window added meanwhile would be wiped when the
   * layout loads: it waits, and joins the layout that opens. Cleared by `load()`; an open that
   * fails clears it too (what waited is dropped with it).
   */
  set opening(value) {
    this.#opening = Boolean(value);
    if (!this.#opening) this.#queued = [];
  }

  addWidget(entry, attributes = {}) {
    if (this.#locked) return;
    if (this.#opening) {
      this.#queued.push([entry, attributes]);
      return;
    }
    this.#layout.addComponentAtLocation(COMPONENT_TYPE, this.componentState(entry, attributes), entry.label, ADD_LOCATIONS);
    this.#changed();
  }

  /** Make `element` draggable into the layout; returns a disposer. */
  dragSource(element, entry) {
    const source = this.#layout.newDragSource(element, () => ({
      type: "component", componentType: COMPONENT_TYPE, componentState: this.componentState(entry), title: entry.label,
    }));
    return () => this.#layout.removeDragSource(source);
  }

  setTheme(theme) {
    this.#theme = theme;
    for (const frame of this.frames) frame.theme = theme;
  }

  reset() {
    if (this.#locked) return;
    this.#store.clear();
    this.#layout.loadLayout(EMPTY_LAYOUT);
    this.#pruneWiring();
    this.#changed();
  }

  /**
   * Golden-layout's LayoutConfig for the current layout (what a store persists), with the
   * windows that are popped out folded back in (openPopouts itself is never saved).
   */
  toConfig() {
    // golden-layout 2.6 cannot save while a popout is still starting (it throws): keep the last good config
    if (!this.#popoutsReady()) return this.#lastConfig ?? structuredClone(EMPTY_LAYOUT);
    this.#lastConfig = foldPopouts(LayoutConfig.fromResolved(this.#layout.saveLayout()));
    return this.#lastConfig;
  }

  /** Every popout window has started (golden-layout's BrowserPopout keeps this in a private field). */
  #popoutsReady() {
    return (this.#layout.openPopouts ?? []).every((popout) => popout._isInitialised !== false);
  }

  /** Something outside golden-layout's own events changed the layout (e.g. a widget in a popout). */
  markChanged() {
    this.#changed();
  }

  /**
   * Start importing the widget modules of `config`'s windows now, in parallel, before
   * golden-layout builds its DOM; each frame's own import then finds the module already
   * on its way (one module record per URL). A failure here is the frame's to report.
   */
  #prefetch(config) {
    const wanted = config ? windows(config).filter((w) => w.widgetId) : [];
    if (wanted.length === 0 || !this.#catalogue) return [];
    const start = () => {
      const imports = [];
      for (const { widgetId, version } of wanted) {
        const entry = this.#catalogue.get(widgetId);
        // a pinned version that is no longer live shows a placeholder: nothing to import
        if (entry?.module && !(version && entry.version && version !== entry.version)) {
          imports.push(importModule(moduleUrl(entry)).catch(() => {}));
        }
      }
      return imports;
    };
    if (this.#catalogue.loaded) return start();
    this.#catalogue.whenLoaded?.().then(start);
    return [];
  }

  /**
   * Golden-layout sizes every window as it loads a layout, reading the DOM's geometry (a
   * forced layout of the whole page, 30–80 ms with eight windows on a busy machine). While
   * the windows' widget modules are still on their way that work would only delay the
   * widgets' first queries: the workspace stays out of layout (display: none) until they
   * are in and their widgets have started (or HOLD_MAX_MS), then is sized once.
   */
  #holdSizing(imports) {
    if (imports.length === 0) {
      this.#releaseSizing();
      return;
    }
    this.#element.classList.add("sizing-held");
    setTimeout(() => this.#releaseSizing(), HOLD_MAX_MS);
    // after the frames' own continuations: their widgets are created and have asked for data
    Promise.allSettled(imports).then(() => setTimeout(() => this.#releaseSizing(), 0));
  }

  #releaseSizing() {
    const element = this.#element;
    if (!element.classList.contains("sizing-held")) return;
    element.classList.remove("sizing-held");
    if (this.#layout.isInitialised) this.#layout.setSize(element.offsetWidth, element.offsetHeight);
  }

  #createFrame(container, state) {
    const frame = document.createElement("tessera-widget-frame");
    frame.catalogue = this.#catalogue;
    frame.bus = this.#bus;
    frame.widgetAttributes = { ...(state?.attributes ?? {}) };
    frame.theme = this.#theme;
    frame.pinnedVersion = state?.version ?? null;
    const windowId = state?.windowId ?? newWindowId();
    frame.windowId = windowId;
    frame.widgetId = state?.widgetId ?? "";
    container.element.append(frame);
    container.stateRequestEvent = () => ({ ...frame.state, windowId });
    container.on("beforeComponentRelease", () => {
      this.frames.delete(frame);
      frame.release();
    });
    this.frames.add(frame);
    return undefined;
  }

  #addChannelDot(tab) {
    if (!this.#bus) return;
    const windowId = () => tab.contentItem?.container?.element?.querySelector("tessera-widget-frame")?.windowId
      ?? tab.contentItem?.toConfig?.().componentState?.windowId;
    // after the title: the tab's left edge stays a drag handle
    tab.titleElement.after(channelPicker(this.#bus, windowId, { locked: () => this.#locked }));
  }

  /** Closed windows leave the wiring (their channel choice and wires). */
  #pruneWiring() {
    if (this.#loading || this.#locked || !this.#bus || !this.#layout.isInitialised || !this.#popoutsReady()) return;
    this.#bus.prune(new Set(windows(this.toConfig()).map((w) => w.windowId)));
  }

  #changed() {
    this.dispatchEvent(new Event("change"));
    if (this.#loading || this.#locked) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      if (!this.#popoutsReady()) this.#changed(); // try again once the popout has started
      else if (this.#layout.isInitialised) this.#store.save(this.toConfig());
    }, SAVE_DELAY_MS);
  }
}
