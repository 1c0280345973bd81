// The kit's data client: `query(path, params)` answers rows plus the freshness watermark;
// `subscribe(path, params, onUpdate)` follows a server-sent event stream, resumes with the
// last event id, falls back to polling when the stream fails, and shares one connection per
// stream URL among every subscriber of the page (reference-counted).
//
// A stream opens once the page's queries in flight are answered (at most `streamHoldMs`
// later): a browser holds six HTTP/1.1 connections per origin, and each open stream keeps
// one, so streams opened first would queue the first render's queries behind them.
//
// The shared state lives on `globalThis` under a registered symbol, so a widget that bundled
// its own copy of the kit still shares connections with widgets importing /kit/v1/.

import { rowsOf } from "./rows.js";

const SHARED = Symbol.for("tessera.kit.v1.data");
const DEFAULT_PATH = "/api/v1/metrics";

function shared() {
  const page = (globalThis[SHARED] ??= { clients: new Map(), streams: new Map() });
  page.queries ??= 0; // in flight, over every client of the page (a copy of an older kit may have made `page`)
  page.settled ??= new Set(); // called each time the count falls to zero
  return page;
}

function queryStarted() {
  shared().queries += 1;
}

function queryEnded() {
  const page = shared();
  page.queries = Math.max(0, page.queries - 1);
  if (page.queries === 0) for (const settled of [...page.settled]) settled();
}

/**
 * `then()` once the page has no query in flight, looked at after the current task (so the
 * queries a widget starts right after subscribing count), or after `maxMs` at most.
 * Returns a function that cancels it.
 */
function afterQueries(then, maxMs) {
  const page = shared();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(limit);
    page.settled.delete(look);
    then();
  };
  const look = () => setTimeout(() => { if (page.queries === 0) finish(); }, 0);
  const limit = setTimeout(finish, maxMs);
  page.settled.add(look);
  look();
  return () => {
    done = true;
    clearTimeout(limit);
    page.settled.delete(look);
  };
}

/** A failed query: `status` (0 when no answer came), the `field` a 422 names, `detail`. */
export class QueryError extends Error {
  constructor(message, { status = 0, field = null, detail = null, url = "", timeout = false } = {}) {
    super(message);
    this.name = "QueryError";
    Object.assign(this, { status, field, detail, url, timeout });
  }

  /** From an error answer: problem JSON (`title`/`detail`) or a validation list (`detail: [{loc, msg}]`). */
  static from(status, body, url) {
    const detail = body?.detail ?? body?.title ?? null;
    let field = null;
    let text = typeof detail === "string" ? detail : "";
    const first = Array.isArray(detail) ? detail[0] : Array.isArray(body?.errors) ? body.errors[0] : null;
    if (first && typeof first === "object") {
      const loc = Array.isArray(first.loc) ? first.loc : [];
      field = first.field ?? (loc.length ? String(loc[loc.length - 1]) : null);
      text = [field, first.msg ?? first.message].filter(Boolean).join(": ");
    }
    return new QueryError(`the data API answered HTTP ${status}${text ? ` (${text})` : ""}`, { status, field, detail, url });
  }
}

/** The data API base: a URL string, or the `data-api` attribute of an element or of any host around it. */
export function resolveBase(source) {
  let base = typeof source === "string" ? source : "";
  for (let node = typeof source === "object" ? source : null; node && !base; ) {
    base = node.getAttribute?.("data-api") || "";
    node = node.parentElement ?? node.getRootNode?.().host ?? null;
  }
  const origin = globalThis.location?.href ?? "http://localhost/";
  return new URL(base || DEFAULT_PATH, origin).href.replace(/\/+$/, "");
}

function appendParam(search, name, value) {
  if (value === null || value === undefined || value === "") return;
  if (Array.isArray(value)) {
    for (const item of value) appendParam(search, name, item);
  } else if (value instanceof Date) {
    search.append(name, value.toISOString());
  } else if (typeof value === "object") {
    for (const key of Object.keys(value).sort()) appendParam(search, key, value[key]); // filters: one param each
  } else {
    search.append(name, String(value));
  }
}

/** `base/path?params` with params in a stable order (so equal streams share one URL). */
export function buildUrl(base, path, params = {}) {
  const url = /^[a-z]+:|^\//i.test(path) ? new URL(path, `${base}/`) : new URL(`${base}/${String(path).replace(/^\/+/, "")}`);
  const search = new URLSearchParams(url.search);
  for (const name of Object.keys(params ?? {}).sort()) appendParam(search, name, params[name]);
  url.search = search.toString();
  return url.href;
}

function parseData(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One EventSource for every subscriber of one URL; polling while it cannot connect. */
class SharedStream {
  mode = "connecting"; // connecting | sse | poll
  lastEventId = null;
  opened = 0; // EventSources created over the stream's life
  subscribers = new Set();
  #names = new Set();
  #source = null;
  #failures = 0;
  #pollTimer = null;
  #retryTimer = null;
  #cancelHold = null;
  #onEvent = (event) => this.#received(event);

  constructor(url, options, onEmpty) {
    this.url = url;
    this.options = options;
    this.onEmpty = onEmpty;
  }

  add(subscriber) {
    this.subscribers.add(subscriber);
    for (const name of subscriber.events) {
      if (this.#names.has(name)) continue;
      this.#names.add(name);
      this.#source?.addEventListener(name, this.#onEvent);
    }
    if (this.mode === "poll") this.#startPolling();
    else if (!this.#source && !this.#cancelHold) this.#openAfterQueries();
  }

  remove(subscriber) {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size > 0) return;
    this.close();
    this.onEmpty(this);
  }

  close() {
    this.#cancelHold?.();
    this.#cancelHold = null;
    this.#source?.close();
    this.#source = null;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#retryTimer);
    this.#pollTimer = this.#retryTimer = null;
    this.mode = "closed";
  }

  #openAfterQueries() {
    const hold = Number(this.options.streamHoldMs) || 0;
    if (hold <= 0 || typeof this.options.EventSource !== "function") {
      this.#open();
      return;
    }
    this.#cancelHold = afterQueries(() => {
      this.#cancelHold = null;
      if (this.subscribers.size > 0 && !this.#source && this.mode === "connecting") this.#open();
    }, hold);
  }

  #open() {
    const EventSourceClass = this.options.EventSource;
    if (typeof EventSourceClass !== "function") {
      this.#fallBack();
      return;
    }
    // A new EventSource cannot set Last-Event-ID itself: resume through the query string.
    const url = new URL(this.url);
    if (this.lastEventId !== null) url.searchParams.set("lastEventId", this.lastEventId);
    let source;
    try {
      source = new EventSourceClass(url.href);
    } catch {
      this.#fallBack(); // a URL EventSource refuses (another scheme): poll
      return;
    }
    this.opened += 1;
    this.#source = source;
    this.mode = "connecting";
    for (const name of this.#names) source.addEventListener(name, this.#onEvent);
    source.addEventListener("open", () => {
      if (this.#source !== source) return;
      this.#failures = 0;
      this.mode = "sse";
      clearInterval(this.#pollTimer);
      this.#pollTimer = null;
    });
    source.addEventListener("error", () => {
      if (this.#source !== source) return;
      this.#failures += 1;
      // CLOSED: an HTTP error or a wrong content type, the browser gives up; CONNECTING:
      // it retries by itself (sending Last-Event-ID), until we stop waiting for it.
      if (source.readyState === 2 || this.#failures >= this.options.maxStreamFailures) this.#fallBack();
    });
  }

  #fallBack() {
    this.#source?.close();
    this.#source = null;
    this.mode = "poll";
    this.#startPolling();
    clearTimeout(this.#retryTimer);
    const wait = this.options.streamRetryMs * (0.8 + Math.random() * 0.4);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (this.subscribers.size > 0) this.#open();
    }, wait);
  }

  #startPolling() {
    if (this.#pollTimer || this.subscribers.size === 0) return;
    const every = Math.min(...[...this.subscribers].map((s) => s.pollMs));
    this.#pollTimer = setInterval(() => this.#deliver({ type: "poll", data: null, id: null, via: "poll" }), every);
    this.#deliver({ type: "poll", data: null, id: null, via: "poll" });
  }

  #received(event) {
    if (event.lastEventId) this.lastEventId = event.lastEventId;
    this.#deliver({ type: event.type, data: parseData(event.data), id: event.lastEventId || null, via: "sse" });
  }

  #deliver(update) {
    for (const subscriber of [...this.subscribers]) {
      if (update.type !== "poll" && !subscriber.events.includes(update.type)) continue;
      try {
        subscriber.onUpdate(update);
      } catch (error) {
        globalThis.reportError?.(error); // one failing subscriber does not stop the others
      }
    }
  }
}

/** `{type: "poll"}` every `every` ms (skipped while the page is hidden); nothing shared. */
function pollOnly(url, onUpdate, every) {
  let timer = setInterval(() => {
    if (!globalThis.document?.hidden) onUpdate({ type: "poll", data: null, id: null, via: "poll" });
  }, every);
  return {
    url,
    close() { clearInterval(timer); timer = null; },
    get mode() { return timer === null ? "closed" : "poll"; },
    get lastEventId() { return null; },
  };
}

/** A data client bound to one base URL. Prefer `clientFor(element)`, which shares them. */
export class DataClient {
  constructor(base, options = {}) {
    this.base = resolveBase(base);
    this.options = {
      fetch: (...args) => globalThis.fetch(...args),
      EventSource: globalThis.EventSource,
      timeoutMs: 10_000,
      pollMs: 5_000,
      maxStreamFailures: 3,
      streamRetryMs: 30_000,
      streamHoldMs: 3_000, // a stream waits for the page's queries in flight this long at most (0: opens at once)
      ...options,
    };
  }

  url(path, params) {
    return buildUrl(this.base, path, params);
  }

  /** GET `path` with `params`: {rows, watermark, body, url}; throws a QueryError. */
  async query(path, params = {}, { signal, timeoutMs = this.options.timeoutMs } = {}) {
    const url = this.url(path, params);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), timeoutMs);
    const forward = () => controller.abort(signal.reason);
    signal?.addEventListener("abort", forward, { once: true });
    queryStarted();
    try {
      let response;
      try {
        response = await this.options.fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
      } catch (error) {
        if (signal?.aborted) throw error;
        if (controller.signal.aborted) {
          throw new QueryError(`the data API did not answer within ${Math.round(timeoutMs / 100) / 10} s`, { url, timeout: true });
        }
        throw new QueryError(`the data API is unreachable (${error.message})`, { url });
      }
      const body = await response.json().catch(() => null);
      if (!response.ok) throw QueryError.from(response.status, body, url);
      return { rows: rowsOf(body), watermark: body?.watermark ?? null, body, url };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
      queryEnded();
    }
  }

  /**
   * Follow the event stream at `path`: `onUpdate({type, data, id, via})` for each event named in
   * `events` (default "message"), and `{type: "poll"}` every `pollMs` while the stream is down
   * (refetch then). `stream: false` only polls (no connection). Returns {close(), mode, lastEventId}.
   */
  subscribe(path, params, onUpdate, { events = ["message"], pollMs = this.options.pollMs, stream = true } = {}) {
    if (typeof onUpdate !== "function") throw new TypeError("subscribe needs an onUpdate function");
    const url = this.url(path, params);
    if (!stream) return pollOnly(url, onUpdate, Math.max(250, Number(pollMs) || 5_000));
    const streams = shared().streams;
    let connection = streams.get(url);
    if (!connection || connection.mode === "closed") {
      connection = new SharedStream(url, this.options, (empty) => {
        if (streams.get(url) === empty) streams.delete(url);
      });
      streams.set(url, connection);
    }
    const subscriber = { onUpdate, events: [...events], pollMs: Math.max(250, Number(pollMs) || 5_000) };
    connection.add(subscriber);
    let closed = false;
    return {
      url,
      close() {
        if (closed) return;
        closed = true;
        connection.remove(subscriber);
      },
      get mode() { return closed ? "closed" : connection.mode; },
      get lastEventId() { return connection.lastEventId; },
    };
  }
}

/** The shared client for a base URL, an element's `data-api`, or the dashboard's default. */
export function clientFor(source) {
  const base = resolveBase(source);
  const clients = shared().clients;
  if (!clients.has(base)) clients.set(base, new DataClient(base));
  return clients.get(base);
}

/** `clientFor(options.base).query(path, params, options)`. */
export function query(path, params = {}, options = {}) {
  return clientFor(options.base).query(path, params, options);
}

/** `clientFor(options.base).subscribe(path, params, onUpdate, options)`. */
export function subscribe(path, params, onUpdate, options = {}) {
  return clientFor(options.base).subscribe(path, params, onUpdate, options);
}

/** The page's open streams: [{url, subscribers, mode, lastEventId, opened}] (for tests and debugging). */
export function openStreams() {
  return [...shared().streams.values()].map((s) => ({
    url: s.url, subscribers: s.subscribers.size, mode: s.mode, lastEventId: s.lastEventId, opened: s.opened,
  }));
}
