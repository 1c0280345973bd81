// The widget catalogue as the shell sees it: loaded from /api/v1/catalogue, kept current
// by the SSE relay /api/v1/catalogue/stream, polled every 5 s while the stream is down.
// Dispatches `change` whenever entries, staleness or the connection mode change.

const LIST_URL = "/api/v1/catalogue";
const STREAM_URL = "/api/v1/catalogue/stream";
const POLL_MS = 5000;
const STREAM_RETRY_MS = 30000;
const CHANGE_EVENTS = ["widget-registered", "widget-updated", "widget-stale", "widget-removed"];

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
    this.#options = { pollMs: POLL_MS, streamRetryMs: STREAM_RETRY_MS, stream: true, ...options };
  }

  start() {
    this.load();
    if (this.#options.stream && typeof EventSource !== "undefined") this.#connect();
    else this.#startPolling();
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
