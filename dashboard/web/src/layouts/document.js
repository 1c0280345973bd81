// The layout document as the shell builds and reads it (no DOM).
//
// {title, description?, owner?, layout: <golden-layout LayoutConfig>, wiring?, viewState?, schemaVersion}
// Every window is a "tessera-widget" component whose componentState is
// {widgetId, version?, attributes?, windowId}; windowId is stable across saves so wiring
// and diffs can name a window. The server's JSON Schema is the source of truth: this
// module only shapes what the shell sends and reads what it gets back.

export const SCHEMA_VERSION = 1;
export const COMPONENT_TYPE = "tessera-widget";
export const TITLE_LIMIT = 200;

export const EMPTY_CONFIG = {
  root: { type: "row", content: [] },
  settings: { showPopoutIcon: false, showMaximiseIcon: true, showCloseIcon: true, reorderEnabled: true },
  dimensions: { headerHeight: 30, borderWidth: 6, minItemHeight: 120, minItemWidth: 200 },
  header: { popout: false },
};

/** A fresh window id: short, URL-safe, unique enough within one layout. */
export function newWindowId(random = Math.random) {
  return `w-${Math.floor(random() * 36 ** 8).toString(36).padStart(8, "0")}`;
}

/** Depth-first walk over a LayoutConfig's items (root and its content). */
export function* items(config) {
  const stack = config?.root ? [config.root] : [];
  while (stack.length) {
    const item = stack.pop();
    yield item;
    if (Array.isArray(item.content)) for (let i = item.content.length - 1; i >= 0; i -= 1) stack.push(item.content[i]);
  }
}

/** The windows (tessera-widget components) of a LayoutConfig, in layout order. */
export function windows(config) {
  const found = [];
  for (const item of items(config)) {
    if (item.type === "component" && item.componentType === COMPONENT_TYPE) {
      const state = item.componentState ?? {};
      found.push({ windowId: state.windowId ?? null, widgetId: state.widgetId ?? "", version: state.version ?? null,
        attributes: state.attributes ?? {}, title: item.title ?? state.widgetId ?? "" });
    }
  }
  return found;
}

/** A copy of `config` where every window has a windowId (existing ones are kept). */
export function withWindowIds(config, makeId = newWindowId) {
  const copy = structuredClone(config);
  const seen = new Set();
  for (const item of items(copy)) {
    if (item.type !== "component" || item.componentType !== COMPONENT_TYPE) continue;
    item.componentState = { ...(item.componentState ?? {}) };
    let id = item.componentState.windowId;
    while (!id || seen.has(id)) id = makeId();
    seen.add(id);
    item.componentState.windowId = id;
  }
  return copy;
}

/** What is stored: golden-layout's own config, without popouts or transient maximised state. */
export function storableConfig(config) {
  const { openPopouts, ...rest } = structuredClone(config ?? EMPTY_CONFIG);
  return rest;
}

/** Build the document the API stores. */
export function toDocument({ title, description, owner, config, wiring, viewState }) {
  const document = { title: cleanTitle(title), layout: storableConfig(config), schemaVersion: SCHEMA_VERSION };
  if (description) document.description = String(description);
  if (owner) document.owner = String(owner);
  if (wiring !== undefined && wiring !== null) document.wiring = wiring;
  if (viewState !== undefined && viewState !== null) document.viewState = viewState;
  return document;
}

/** The document inside an API answer (which may wrap it or carry it flat). */
export function fromAnswer(body) {
  const source = body?.document ?? body ?? {};
  return {
    title: source.title ?? "Untitled layout",
    description: source.description ?? "",
    owner: source.owner ?? "",
    layout: source.layout ?? EMPTY_CONFIG,
    wiring: source.wiring ?? null,
    viewState: source.viewState ?? null,
    schemaVersion: source.schemaVersion ?? SCHEMA_VERSION,
  };
}

/** Titles: no control characters, trimmed, limited; never empty. */
export function cleanTitle(title) {
  // eslint-disable-next-line no-control-regex
  const text = String(title ?? "").replace(/[\u0000-\u001f\u007f]/g, " ").replace(/\s+/g, " ").trim();
  return text.slice(0, TITLE_LIMIT) || "Untitled layout";
}

/** Stable JSON (sorted keys): equal documents give equal strings. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).filter((k) => value[k] !== undefined).sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function sameDocument(a, b) {
  return canonical(a) === canonical(b);
}

/**
 * The casual view's config: nothing can be moved, closed, maximised or popped out.
 * Tabs still switch; splitters are fixed by the view's stylesheet (golden-layout 2.6
 * has no setting for them).
 */
export function lockedConfig(config) {
  const copy = storableConfig(config);
  copy.settings = { ...(copy.settings ?? {}), reorderEnabled: false, showCloseIcon: false, showMaximiseIcon: false,
    showPopoutIcon: false, constrainDragToContainer: true, popoutWholeStack: false };
  copy.header = { ...(copy.header ?? {}), popout: false, maximise: false, close: false };
  for (const item of items(copy)) {
    item.reorderEnabled = false;
    item.isClosable = false;
    if (item.type === "component") item.header = { ...(item.header ?? {}), popout: false, maximise: false, close: false };
  }
  delete copy.root?.maximised;
  return copy;
}
