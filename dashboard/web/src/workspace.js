// The golden-layout workspace: every window holds one <tessera-widget-frame>.
//
// Components are registered with golden-layout's standard factory (not virtual): the
// factory puts a frame into the container's element and golden-layout moves it with its
// window. The layout is persisted as golden-layout's own LayoutConfig (saveLayout →
// LayoutConfig.fromResolved) through a store with load/save/clear.

import { GoldenLayout, LayoutConfig } from "golden-layout";
import { COMPONENT_TYPE, lockedConfig, newWindowId, withWindowIds } from "./layouts/document.js";

export { COMPONENT_TYPE };
const SAVE_DELAY_MS = 300;

// golden-layout's LocationSelector.TypeId is a const enum (erased at build): its values.
const FIRST_ROW_OR_COLUMN = 3;
const ROOT = 7;
// New windows go side by side in the first row, else anywhere.
const ADD_LOCATIONS = [{ typeId: FIRST_ROW_OR_COLUMN }, { typeId: ROOT }];

const EMPTY_LAYOUT = {
  root: { type: "row", content: [] },
  settings: { showPopoutIcon: false, showMaximiseIcon: true, showCloseIcon: true, reorderEnabled: true },
  dimensions: { headerHeight: 30, borderWidth: 6, minItemHeight: 120, minItemWidth: 200 },
  header: { popout: false },
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

  constructor(element, { catalogue, bus, store, theme = "dark" }) {
    super();
    this.#element = element;
    this.#catalogue = catalogue;
    this.#bus = bus;
    this.#store = store;
    this.#theme = theme;
    this.#layout = new GoldenLayout(element);
    this.#layout.resizeWithContainerAutomatically = true;
    this.#layout.registerComponentFactoryFunction(COMPONENT_TYPE, (container, state) => this.#createFrame(container, state));
    this.#layout.on("stateChanged", () => this.#changed());
    element.addEventListener("tessera-widget-frame-changed", () => this.#changed());
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

  /** Show `config` (a LayoutConfig, or null for an empty layout); `locked` fixes everything in place. */
  load(config, { locked = false } = {}) {
    this.#locked = locked;
    this.#element.classList.toggle("locked", locked);
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
  }

  componentState(entry, attributes = {}) {
    return { widgetId: entry.id, version: entry.version ?? null, attributes, windowId: newWindowId() };
  }

  addWidget(entry, attributes = {}) {
    if (this.#locked) return;
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
    this.#changed();
  }

  /** Golden-layout's LayoutConfig for the current layout (what a store persists). */
  toConfig() {
    return LayoutConfig.fromResolved(this.#layout.saveLayout());
  }

  #createFrame(container, state) {
    const frame = document.createElement("tessera-widget-frame");
    frame.catalogue = this.#catalogue;
    frame.bus = this.#bus;
    frame.widgetAttributes = { ...(state?.attributes ?? {}) };
    frame.theme = this.#theme;
    frame.pinnedVersion = state?.version ?? null;
    frame.widgetId = state?.widgetId ?? "";
    container.element.append(frame);
    const windowId = state?.windowId ?? newWindowId();
    container.stateRequestEvent = () => ({ ...frame.state, windowId });
    container.on("beforeComponentRelease", () => this.frames.delete(frame));
    this.frames.add(frame);
    return undefined;
  }

  #changed() {
    this.dispatchEvent(new Event("change"));
    if (this.#loading || this.#locked) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      if (this.#layout.isInitialised) this.#store.save(this.toConfig());
    }, SAVE_DELAY_MS);
  }
}
