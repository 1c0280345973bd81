// The widget catalogue as the shell sees it: loaded from /api/v1/catalogue, kept current
// by the SSE relay /api/v1/catalogue/stream, polled every 5 s while the stream is down.
// Dispatches `change` whenever entries, staleness or the connection mode change.
//
// The shell's page may carry the catalogue the dashboard last had (`#tessera-catalogue-seed`,
// see dashboard/shell.py): then the feed starts loaded, with no round trip before the first
// windows can import their widgets, and opens its stream a little later (`streamDelayMs`), so
// the long-lived connection does not hold one of the browser's six per-origin connections
// while the first render's modules and queries load. The stream's `open` reloads the list,
// so nothing registered in between is missed.

const LIST_URL = "/api/v1/catalogue";
const STREAM_URL = "/api/v1/catalogue/stream";
const POLL_MS = 5000;
const STREAM_RETRY_MS = 30000;
const STREAM_DELAY_MS = 2000;
const SEED_ID = "tessera-catalogue-seed";
const CHANGE_EVENTS = ["widget-registered", "widget-updated", "widget-stale", "widget-removed"];

/** The catalogue the shell's page carried, or null. */
function readSeed() {
  const element = globalThis.document?.getElementById(SEED_ID);
  if (!element) return null;
  try {
    return JSON.parse(element.textContent);
  } catch {
    return null;
  }
}

export class CatalogueFeed extends EventTarget {
  entries = new Map();
  loaded = false;
  stale = false;
  error = null;
  mode = "connecting"; // "live" (SSE) | "polling" | "connecting"

  #source = null;
  #pollTimer = null;
  #streamTimer = null;
  #options;

  constructor(options = {}) {
    super();
    this.#options = { pollMs: POLL_MS, streamRetryMs: STREAM_RETRY_MS, streamDelayMs: STREAM_DELAY_MS, stream: true,
      seed: readSeed(), ...options };
  }

  start() {
    const seeded = this.#useSeed(this.#options.seed);
    if (!seeded) this.load();
    if (this.#options.stream && typeof EventSource !== "undefined") {
      if (seeded) this.#streamTimer = setTimeout(() => this.#connect(), this.#options.streamDelayMs);
      else this.#connect();
    } else {
      this.#startPolling();
    }
  }

  /** Start from the catalogue the page carried; false if there is none worth using. */
  #useSeed(seed) {
    if (!seed || !Array.isArray(seed.items) || seed.stale) return false;
    this.entries = new Map(seed.items.filter((entry) => typeof entry?.id === "string").map((entry) => [entry.id, entry]));
    this.loaded = true;
    this.stale = false;
    this.error = null;
    this.#changed();
    return true;
  }

  stop() {
    this.#source?.close();
    this.#source = null;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#streamTimer);
  }

  get(id) {
    return this.entries.get(id) ?? null;
  }

  list() {
    return [...this.entries.values()];
  }

  /** Resolves with the entry (or null if absent) once the catalogue has loaded at least once. */
  whenLoaded(timeoutMs = 10000) {
    if (this.loaded) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.removeEventListener("change", onChange);
        resolve();
      };
      const onChange = () => this.loaded && done();
      const timer = setTimeout(done, timeoutMs);
      this.addEventListener("change", onChange);
    });
  }

  async load() {
    try {
      const response = await fetch(LIST_URL, { headers: { Accept: "application/json" }, cache: "no-store" });
      const body = await response.json().catch(() => ({}));
      if (Array.isArray(body.items) && (response.ok || body.items.length > 0)) {
        this.entries = new Map(body.items.map((entry) => [entry.id, entry]));
        this.loaded = true;
      }
      this.stale = Boolean(body.stale) || !response.ok;
      this.error = response.ok ? body.error ?? null : body.error ?? body.detail ?? `HTTP ${response.status}`;
    } catch (error) {
      this.stale = true;
      this.error = `the dashboard is unreachable (${error.message})`;
    }
    this.#changed();
  }

  #connect() {
    const source = new EventSource(STREAM_URL);
    this.#source = source;
    source.onopen = () => {
      this.mode = "live";
      this.#stopPolling();
      this.load(); // catch up on anything missed while disconnected
    };
    for (const type of CHANGE_EVENTS) {
      source.addEventListener(type, (event) => this.#apply(type, event.data));
    }
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        this.#source = null;
        this.#streamTimer = setTimeout(() => this.#connect(), this.#options.streamRetryMs);
      }
      this.mode = "polling";
      this.#startPolling();
      this.#changed();
    };
  }

  #apply(type, data) {
    let entry;
    try {
      entry = JSON.parse(data);
    } catch {
      return;
    }
    if (!entry || typeof entry.id !== "string") return;
    if (type === "widget-removed" || entry.status === "gone") this.entries.delete(entry.id);
    else this.entries.set(entry.id, entry);
    this.#changed();
  }

  #startPolling() {
    if (this.#pollTimer) return;
    this.#pollTimer = setInterval(() => this.load(), this.#options.pollMs);
  }

  #stopPolling() {
    clearInterval(this.#pollTimer);
    this.#pollTimer = null;
  }

  #changed() {
    this.dispatchEvent(new Event("change"));
  }
}
