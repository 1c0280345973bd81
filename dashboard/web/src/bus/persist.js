// The bus's current values survive a reload of the page (DOM: sessionStorage). Per layout
// (and per browser tab: sessionStorage is the tab's), the last value of each channel topic
// and wire is kept as JSON under `tessera.bus.values:<key>`, bounded in size, and restored
// into the bus when that layout opens again, so each widget gets the current selection at
// once instead of starting blank. What is kept is what a view link may carry as
// `viewState.selections` (the router's snapshot shape).

export const PREFIX = "tessera.bus.values:";
export const MAX_BYTES = 32 * 1024; // the whole record
export const MAX_ENTRY_BYTES = 4 * 1024; // one topic's value; a larger one is not kept
const SAVE_DELAY_MS = 150;

/**
 * The snapshot cut to `maxBytes` of JSON: entries larger than `maxEntry` are dropped, then
 * entries are kept in order until the budget is spent (channel topics before wires).
 */
export function boundSnapshot(snapshot, { maxBytes = MAX_BYTES, maxEntry = MAX_ENTRY_BYTES } = {}) {
  const out = { channels: {}, wires: {} };
  let budget = maxBytes - 40;
  const take = (size) => {
    if (size > maxEntry || size > budget) return false;
    budget -= size;
    return true;
  };
  for (const [channel, topics] of Object.entries(snapshot?.channels ?? {})) {
    for (const [topic, value] of Object.entries(topics ?? {})) {
      const size = JSON.stringify(value).length + topic.length + channel.length + 8;
      if (take(size)) (out.channels[channel] ??= {})[topic] = value;
    }
  }
  for (const [id, value] of Object.entries(snapshot?.wires ?? {})) {
    if (take(JSON.stringify(value).length + id.length + 6)) out.wires[id] = value;
  }
  return out;
}

const isEmpty = (snapshot) => !Object.keys(snapshot.channels).length && !Object.keys(snapshot.wires).length;

export class BusValues {
  #bus;
  #storage;
  #key = null;
  #timer = null;
  #maxBytes;

  constructor(bus, { storage = globalThis.sessionStorage, maxBytes = MAX_BYTES } = {}) {
    this.#bus = bus;
    this.#storage = storage;
    this.#maxBytes = maxBytes;
    const changed = () => this.#schedule();
    bus.addEventListener("message", changed); // this window's widgets
    bus.addEventListener("remote-message", changed); // its popouts'
    globalThis.addEventListener?.("pagehide", () => this.flush());
  }

  /** Values of layout `key` from now on: restore what this tab kept for it (once per key). */
  use(key) {
    if (key === this.#key) return;
    this.flush();
    this.#key = key;
    const saved = this.read(key);
    if (saved) this.#bus.restore(saved);
    this.#schedule(); // what the bus holds now is this layout's (a first save gives "new" its id)
  }

  read(key) {
    try {
      const record = JSON.parse(this.#storage?.getItem(PREFIX + key) ?? "null");
      return record && typeof record === "object" && record.v === 1 ? record.snapshot : null;
    } catch {
      return null;
    }
  }

  /** Write the current values now (the debounce skipped). */
  flush() {
    clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#key === null) return;
    const snapshot = boundSnapshot(this.#bus.snapshot(), { maxBytes: this.#maxBytes });
    try {
      if (isEmpty(snapshot)) this.#storage?.removeItem(PREFIX + this.#key);
      else this.#storage?.setItem(PREFIX + this.#key, JSON.stringify({ v: 1, savedAt: Date.now(), snapshot }));
    } catch {
      // storage full or refused: the values live as long as the page, as before
    }
  }

  #schedule() {
    if (this.#timer === null) this.#timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }
}
