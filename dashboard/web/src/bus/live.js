// Follow the presenter (DOM: fetch, EventSource). The presenter opens a relay on the
// dashboard and posts every message its bus accepts; a live view link carries the relay
// id (viewState.live), and each follower's bus routes what the relay streams as if its own
// windows had sent it. Followers hold only the id: they cannot publish to the presenter.

export class LivePresenter extends EventTarget {
  relay = null; // {id, publishKey}
  #bus;
  #stop = null;

  constructor(bus) {
    super();
    this.#bus = bus;
  }

  get live() { return Boolean(this.relay); }

  async start() {
    if (this.relay) return this.relay;
    const response = await fetch("/api/v1/live", { method: "POST", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`the live relay could not start (HTTP ${response.status})`);
    this.relay = await response.json();
    const { id, publishKey } = this.relay;
    const send = (event) => {
      fetch(`/api/v1/live/${encodeURIComponent(id)}/messages`, {
        method: "POST", keepalive: true, body: JSON.stringify(event.detail),
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${publishKey}` },
      }).catch(() => {});
    };
    // this window's messages and those of its popouts (relayed to it by the bridge)
    this.#bus.addEventListener("message", send);
    this.#bus.addEventListener("remote-message", send);
    this.#stop = () => {
      this.#bus.removeEventListener("message", send);
      this.#bus.removeEventListener("remote-message", send);
    };
    // followers who join now get the current values
    for (const [, topics] of Object.entries(this.#bus.snapshot().channels)) {
      for (const [topic, { payload, source }] of Object.entries(topics)) {
        fetch(`/api/v1/live/${encodeURIComponent(id)}/messages`, { method: "POST", body: JSON.stringify({ topic, payload, source }),
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${publishKey}` } }).catch(() => {});
      }
    }
    this.dispatchEvent(new Event("change"));
    return this.relay;
  }

  async stop() {
    if (!this.relay) return;
    const { id, publishKey } = this.relay;
    this.#stop?.();
    this.relay = null;
    this.dispatchEvent(new Event("change"));
    await fetch(`/api/v1/live/${encodeURIComponent(id)}`, { method: "DELETE", headers: { Authorization: `Bearer ${publishKey}` } })
      .catch(() => {});
  }
}

/** Route the relay's messages into `bus` (EventSource resumes with Last-Event-ID by itself); answers a stop function. */
export function followLive(bus, relayId, { onState = () => {} } = {}) {
  const source = new EventSource(`/api/v1/live/${encodeURIComponent(relayId)}/events`);
  source.addEventListener("open", () => onState("live"));
  source.addEventListener("error", () => onState(source.readyState === EventSource.CLOSED ? "ended" : "reconnecting"));
  source.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!message?.source || typeof message.topic !== "string") return;
    bus.router.route({ ...message, id: `live-${event.lastEventId}`, origin: message.origin ?? `live-${event.lastEventId}` });
  });
  return () => source.close();
}
