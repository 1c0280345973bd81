// Where the user's layout is kept between visits. For now the browser's localStorage;
// server-side layouts (save, share, clone, versions) will implement the same three methods.

const KEY = "tessera.layout.v1";

export class LocalLayoutStore {
  constructor(storage = globalThis.localStorage, key = KEY) {
    this.storage = storage;
    this.key = key;
  }

  load() {
    try {
      const text = this.storage?.getItem(this.key);
      return text ? JSON.parse(text) : null;
    } catch {
      return null;
    }
  }

  save(layoutConfig) {
    try {
      this.storage?.setItem(this.key, JSON.stringify(layoutConfig));
    } catch {
      // quota or privacy mode: keep working without persistence
    }
  }

  clear() {
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // ignore
    }
  }
}
