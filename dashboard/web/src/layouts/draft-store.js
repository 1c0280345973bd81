// What this browser keeps about layouts (localStorage; no DOM):
//   - a local draft per layout (unsaved edits survive a reload; never pushed without Save),
//   - the edit credential per layout id (its edit key, or an edit link's token),
//   - the id of the last layout opened here.
// The draft of a layout that was never saved lives under the pre-server key
// "tessera.layout.v1", so a layout kept by an older shell is not lost.

const NEW_DRAFT_KEY = "tessera.layout.v1";
const DRAFT_PREFIX = "tessera.draft.";
const KEYS_KEY = "tessera.editKeys";
const LAST_KEY = "tessera.lastLayout";

export class DraftStore {
  constructor(storage = globalThis.localStorage) {
    this.storage = storage;
  }

  /** {baseVersion, document} or null; `id` null means the never-saved layout. */
  loadDraft(id) {
    const value = this.#read(draftKey(id));
    if (!value || typeof value !== "object") return null;
    if (value.root && !value.layout && !value.document) {
      return { baseVersion: null, document: { title: "Untitled layout", layout: value } }; // an older shell's config
    }
    if (!value.document?.layout) return null;
    return { baseVersion: value.baseVersion ?? null, document: value.document };
  }

  saveDraft(id, baseVersion, document) {
    this.#write(draftKey(id), { baseVersion, document, at: Date.now() });
  }

  clearDraft(id) {
    this.#remove(draftKey(id));
  }

  editKey(id) {
    const keys = this.#read(KEYS_KEY);
    return keys && typeof keys[id] === "string" ? keys[id] : null;
  }

  rememberEditKey(id, key) {
    const keys = this.#read(KEYS_KEY) ?? {};
    keys[id] = key;
    this.#write(KEYS_KEY, keys);
  }

  forgetEditKey(id) {
    const keys = this.#read(KEYS_KEY) ?? {};
    delete keys[id];
    this.#write(KEYS_KEY, keys);
  }

  get lastLayout() {
    try {
      return this.storage?.getItem(LAST_KEY) || null;
    } catch {
      return null;
    }
  }

  set lastLayout(id) {
    try {
      if (id) this.storage?.setItem(LAST_KEY, id);
      else this.storage?.removeItem(LAST_KEY);
    } catch {
      // storage disabled: nothing remembered
    }
  }

  #read(key) {
    try {
      const text = this.storage?.getItem(key);
      return text ? JSON.parse(text) : null;
    } catch {
      return null;
    }
  }

  #write(key, value) {
    try {
      this.storage?.setItem(key, JSON.stringify(value));
    } catch {
      // quota or privacy mode: keep working without persistence
    }
  }

  #remove(key) {
    try {
      this.storage?.removeItem(key);
    } catch {
      // ignore
    }
  }
}

function draftKey(id) {
  return id ? `${DRAFT_PREFIX}${id}` : NEW_DRAFT_KEY;
}
