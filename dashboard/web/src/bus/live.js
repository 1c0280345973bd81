// Follow the presenter (DOM: fetch, EventSource, sessionStorage).
//
// A view link created with "Live" owns a relay on the dashboard (the server opens it with
// the link and closes it when the link is revoked or the layout deleted). Its creator, the
// presenter, gets the relay's publish key once and posts every message its bus accepts
// (its popouts' too); the key is kept in this tab's sessionStorage so a reload keeps
// presenting; when the relay is gone (the dashboard restarted) the edit key reopens it, and
// when another tab took the link over (a new publish key) this tab stops presenting on it. Followers read the relay with the link's token as
// `Authorization: Bearer` (`GET /api/v1/shared/live`): the token never goes into a URL and
// the relay id alone opens nothing. Followers cannot publish to the presenter.

const STORE = "tessera.live:";
const LINKS = "/api/v1/layouts";

const post = (url, body, key) => fetch(url, {
  method: "POST", keepalive: true, body: JSON.stringify(body), referrerPolicy: "no-referrer",
  headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
});

export class LivePresenter extends EventTarget {
  #bus;
  #storage;
  #layout = null;
  #credential = () => null;
  #relays = new Map(); // link id -> {relay, publishKey}
  #reopening = new Map(); // link id -> Promise

  constructor(bus, { storage = globalThis.sessionStorage } = {}) {
    super();
    this.#bus = bus;
    this.#storage = storage;
    const send = (event) => this.#send(event.detail);
    // this window's messages and those of its popouts (relayed to it by the bridge)
    bus.addEventListener("message", send);
    bus.addEventListener("remote-message", send);
  }

  get bus() { return this.#bus; }

  /** Is this tab presenting on at least one live link? */
  get live() { return this.#relays.size > 0; }

  /** The ids of the live links this tab presents on. */
  get links() { return [...this.#relays.keys()]; }

  presenting(linkId) { return this.#relays.has(linkId); }

  /** The layout on screen (its live links are this tab's to present on); `credential()` is its edit key. */
  attach(layoutId, credential) {
    if (layoutId === this.#layout) return;
    this.#relays.clear();
    this.#layout = layoutId;
    this.#credential = credential;
    let saved = {};
    try {
      saved = layoutId ? JSON.parse(this.#storage?.getItem(STORE + layoutId) ?? "{}") ?? {} : {};
    } catch { /* nothing kept */ }
    for (const [linkId, relay] of Object.entries(saved)) {
      if (typeof relay?.relay === "string" && typeof relay?.publishKey === "string") this.#relays.set(linkId, relay);
    }
    this.#changed();
  }

  /** Present on live link `linkId` with `live` ({relay, publishKey} from the link's creation or reopening). */
  present(linkId, live) {
    if (!live?.relay || !live?.publishKey) return;
    this.#relays.set(linkId, { relay: live.relay, publishKey: live.publishKey });
    this.#changed();
    // followers who join now get the current values
    const { channels } = this.#bus.snapshot();
    for (const topics of Object.values(channels)) {
      for (const [topic, { payload, source }] of Object.entries(topics)) this.#post(linkId, { topic, payload, source });
    }
  }

  /** Take a live link's relay (again) with the edit key: after a restart, or from another tab. */
  reopen(linkId) {
    if (!this.#reopening.has(linkId)) {
      const layout = this.#layout;
      const attempt = (async () => {
        const credential = this.#credential();
        const response = await fetch(`${LINKS}/${encodeURIComponent(layout)}/links/${encodeURIComponent(linkId)}/live`, {
          method: "POST", headers: { Accept: "application/json", ...(credential ? { Authorization: `Bearer ${credential}` } : {}) },
        });
        if (layout !== this.#layout) return false;
        if (!response.ok) {
          this.forget(linkId); // revoked, expired, deleted, or not ours any more
          return false;
        }
        this.present(linkId, await response.json());
        return true;
      })().catch(() => false).finally(() => this.#reopening.delete(linkId));
      this.#reopening.set(linkId, attempt);
    }
    return this.#reopening.get(linkId);
  }

  /** Stop presenting on `linkId` here (its relay stays the link's until the link is revoked). */
  forget(linkId) {
    if (this.#relays.delete(linkId)) this.#changed();
  }

  #send(message) {
    const { topic, payload, source, id, origin } = message ?? {};
    for (const linkId of this.#relays.keys()) this.#post(linkId, { topic, payload, source, id, origin });
  }

  #post(linkId, message) {
    const relay = this.#relays.get(linkId);
    if (!relay) return;
    post(`/api/v1/live/${encodeURIComponent(relay.relay)}/messages`, message, relay.publishKey)
      .then(async (response) => {
        if (this.#relays.get(linkId) !== relay) return;
        // the relay is gone (the dashboard restarted, or it idled out): reopen it, then resend this one
        if (response.status === 404 && (await this.reopen(linkId))) this.#post(linkId, message);
        // another tab took the link over (its Present button): that tab presents now, not this one
        else if (response.status === 403) this.forget(linkId);
      })
      .catch(() => {});
  }

  #changed() {
    if (this.#layout) {
      try {
        if (this.#relays.size) this.#storage?.setItem(STORE + this.#layout, JSON.stringify(Object.fromEntries(this.#relays)));
        else this.#storage?.removeItem(STORE + this.#layout);
      } catch { /* storage refused: presenting lasts as long as the page */ }
    }
    this.dispatchEvent(new Event("change"));
  }
}

/** Split a text/event-stream body into events ({id, event, data}); answers a feed(chunk) function. */
export function sseParser(onEvent) {
  let buffer = "";
  let event = { data: [], event: "message", id: null };
  return (chunk) => {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop();
    for (const line of lines) {
      if (line === "") {
        if (event.data.length) onEvent({ id: event.id, event: event.event, data: event.data.join("\n") });
        event = { data: [], event: "message", id: null };
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") event.data.push(value);
      else if (field === "event") event.event = value;
      else if (field === "id") event.id = value;
    }
  };
}

function routeInto(bus, message, seq) {
  if (!message?.source || typeof message.topic !== "string") return;
  bus.router.route({ ...message, id: `live-${seq}`, origin: message.origin ?? `live-${seq}` });
}

/**
 * Follow a live view link (its token as `Authorization: Bearer`, never in a URL) and route
 * what the presenter publishes into `bus`. Reconnects with `Last-Event-ID`; while the
 * presenter is not presenting (404 from the relay) it waits and retries; when the link is
 * revoked, expired, deleted or not live (410, or 404 for the link) it stops. `onState`
 * hears "connecting" | "live" | "reconnecting" | "waiting" | "ended". Answers a stop function.
 */
export function followLink(bus, token, { onState = () => {}, retryMs = 2000 } = {}) {
  let stopped = false;
  let controller = null;
  let last = null;
  let timer = null;
  const sleep = (ms) => new Promise((resolve) => { timer = setTimeout(resolve, ms); });
  (async () => {
    onState("connecting");
    let failures = 0;
    while (!stopped) {
      controller = new AbortController();
      let response;
      try {
        response = await fetch("/api/v1/shared/live", {
          signal: controller.signal, cache: "no-store", referrerPolicy: "no-referrer",
          headers: { Accept: "text/event-stream", Authorization: `Bearer ${token}`, ...(last ? { "Last-Event-ID": last } : {}) },
        });
      } catch {
        if (stopped) return;
        onState("reconnecting");
        await sleep(Math.min(retryMs * 2 ** failures++, 30000));
        continue;
      }
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        const kind = problem?.detail?.[0]?.type ?? "";
        if (response.status === 410 || (response.status === 404 && kind !== "not_found")) {
          onState("ended"); // revoked, expired, deleted, or not a live link
          return;
        }
        onState(response.status === 404 ? "waiting" : "reconnecting"); // 404 from the relay: not presenting now
        await sleep(Math.min(retryMs * 2 ** failures++, 30000));
        continue;
      }
      failures = 0;
      onState("live");
      const feed = sseParser(({ id, event, data }) => {
        if (id) last = id;
        if (event !== "message") return;
        try {
          routeInto(bus, JSON.parse(data), id);
        } catch { /* not JSON: skip */ }
      });
      try {
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          feed(value);
        }
      } catch { /* aborted or dropped */ }
      if (stopped) return;
      onState("reconnecting"); // the stream ended: the next request says whether the link still lives
      await sleep(200);
    }
  })();
  return () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
  };
}

/** Route a public relay's messages into `bus` by relay id (older links carry it as viewState.live). */
export function followLive(bus, relayId, { onState = () => {} } = {}) {
  const source = new EventSource(`/api/v1/live/${encodeURIComponent(relayId)}/events`);
  source.addEventListener("open", () => onState("live"));
  source.addEventListener("error", () => onState(source.readyState === EventSource.CLOSED ? "ended" : "reconnecting"));
  source.addEventListener("message", (event) => {
    try {
      routeInto(bus, JSON.parse(event.data), event.lastEventId);
    } catch { /* not JSON: skip */ }
  });
  return () => source.close();
}
