// The bus across browser windows of one layout session (the main shell and its golden-layout
// popouts): a BroadcastChannel named after the session carries each accepted message
// (cloned as JSON), wiring changes, "a window's widget changed" notices, and, when a popout
// says hello, the main window's wiring and current values (so the popout's widgets get
// them at once). Each side routes what it hears to its own windows only; message origins
// make an echo harmless (the router delivers an origin once per window).

export class BusBridge {
  #bus;
  #channel;
  #role;
  #applying = false;
  onChanged = () => {};

  constructor(bus, session, { role = "main" } = {}) {
    this.#bus = bus;
    this.#role = role;
    this.#channel = new BroadcastChannel(`tessera-bus:${session}`);
    this.#channel.addEventListener("message", (event) => this.#heard(event.data));
    bus.addEventListener("message", (event) => this.#post({ type: "message", message: event.detail }));
    bus.addEventListener("wiring", (event) => {
      if (!this.#applying && !event.detail?.silent) this.#post({ type: "wiring", wiring: bus.wiring });
    });
    if (role === "popout") this.#post({ type: "hello" });
  }

  /** Tell the other windows that this one's layout changed (a popout's widget was reconfigured). */
  changed() {
    this.#post({ type: "changed" });
  }

  close() {
    this.#channel.close();
  }

  #post(data) {
    this.#channel.postMessage(JSON.parse(JSON.stringify({ ...data, sentAt: performance.timeOrigin + performance.now() })));
  }

  #heard(data) {
    if (!data || typeof data !== "object") return;
    if (data.type === "message" && data.message?.source) {
      this.#bus.router.route(data.message);
      // the main window speaks for its popouts (e.g. to the live relay)
      if (this.#role === "main") this.#bus.dispatchEvent(new CustomEvent("remote-message", { detail: data.message }));
    } else if (data.type === "wiring") {
      this.#apply(() => this.#bus.setWiring(data.wiring, { silent: this.#role !== "main" }));
    } else if (data.type === "hello" && this.#role === "main") {
      this.#post({ type: "state", wiring: this.#bus.wiring, snapshot: this.#bus.snapshot() });
    } else if (data.type === "state" && this.#role === "popout") {
      this.#apply(() => {
        this.#bus.setWiring(data.wiring, { silent: true });
        this.#bus.restore(data.snapshot);
      });
    } else if (data.type === "changed" && this.#role === "main") {
      this.onChanged();
    }
  }

  #apply(fn) {
    this.#applying = true;
    try {
      fn();
    } finally {
      this.#applying = false;
    }
  }
}
