// The event bus's router (no DOM): windows join with the topics their widget emits and
// accepts; a published message is rate-limited, validated against the sender's declared
// schema and delivered to every other window on the sender's colour channel that accepts
// the same topic, and along explicit wires (with field mapping, validated against the
// receiver's schema). Each message carries the id of the event that started it: a window
// receives a given originating event at most once per topic (a channel and a mapped wire
// may both reach it, as different topics), so A → B → A loops stop at once.
// The last value of each channel/topic and of each wire is kept and replayed to windows
// that join (or change channel) later.
//
//   const router = new BusRouter({wiring});
//   router.join("w1", {widgetId, emits, accepts, deliver(message), report(kind, info)});
//   router.publish("w1", "referrer.selected", {referrer: "x.com"});
//
// Messages: {id, origin, topic, payload, source: {windowId, widgetId}, replay?}.
// report(kind, info) tells a window about its trouble: "throttled" (its own events were
// refused), "invalid" (its payload failed its schema), "undeliverable" (a mapped payload
// failed a receiver's schema), "handler" (its own handler threw while receiving).

import { RateLimit } from "./rate-limit.js";
import { compile } from "./schema.js";
import { mapPayload, topicKey } from "./topic.js";
import { channelOf, normaliseWiring } from "./wiring.js";

const MAX_PAYLOAD_BYTES = 64 * 1024;
let sessionCounter = 0;

export class BusRouter {
  windows = new Map();
  stats = { published: 0, delivered: 0, invalid: 0, throttled: 0, handlerErrors: 0 };

  #wiring;
  #limit;
  #now;
  #prefix;
  #seq = 0;
  #lastByChannel = new Map(); // channel -> Map(topicKey -> message)
  #lastByWire = new Map(); // wire id -> message (as delivered, mapped)
  #current = null; // {origin, seen: Set} while delivering: publishes from handlers inherit it
  #recentOrigins = new Map(); // origin -> Set of windows delivered (for remote echoes)
  listeners = new Set(); // called with each message this router accepted from a local window

  constructor({ wiring, rateLimit = { capacity: 60, perSecond: 30 }, now = () => performance.now(), prefix } = {}) {
    this.#wiring = normaliseWiring(wiring);
    this.#limit = rateLimit;
    this.#now = now;
    this.#prefix = prefix ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${(sessionCounter += 1)}`;
  }

  get wiring() { return this.#wiring; }

  /** Replace the wiring; windows whose channel changed get that channel's last values. */
  setWiring(wiring) {
    const before = new Map([...this.windows.keys()].map((id) => [id, channelOf(this.#wiring, id)]));
    const wiresBefore = new Set(this.#wiring.wires.map((w) => w.id));
    this.#wiring = normaliseWiring(wiring);
    for (const [id, channel] of before) {
      if (channelOf(this.#wiring, id) !== channel) this.#replay(id, { channel: true, wires: false });
    }
    for (const wire of this.#wiring.wires) {
      if (!wiresBefore.has(wire.id)) this.#replayWire(wire);
    }
  }

  /** The channel of a window. */
  channelOf(windowId) { return channelOf(this.#wiring, windowId); }

  /**
   * A window's widget is ready: remember what it emits/accepts (topic → JSON Schema), compile
   * the schemas, and replay the current values it accepts.
   */
  join(windowId, { widgetId = "", emits = {}, accepts = {}, deliver, report = () => {} }) {
    const window = {
      windowId, widgetId, deliver, report,
      emits: new Map(Object.entries(emits ?? {}).map(([topic, schema]) => [topic, { key: topicKey(topic), validate: safeCompile(schema) }])),
      accepts: new Map(), // topicKey -> {topic, validate}
      limit: new RateLimit({ ...this.#limit, now: this.#now }),
      counts: { invalid: 0, throttled: 0, handler: 0, undeliverable: 0 },
    };
    for (const [topic, schema] of Object.entries(accepts ?? {})) {
      const key = topicKey(topic);
      if (key) window.accepts.set(key, { topic, validate: safeCompile(schema) });
    }
    this.windows.set(windowId, window);
    this.#replay(windowId, { channel: true, wires: true });
    return window;
  }

  leave(windowId) {
    this.windows.delete(windowId);
  }

  /**
   * A local window's widget emitted `topic` with `payload`. Answers {status, delivered?, errors?};
   * status is "delivered", "undeclared", "throttled" or "invalid".
   */
  publish(windowId, topic, payload) {
    const window = this.windows.get(windowId);
    const declared = window?.emits.get(topic);
    if (!declared || !declared.key) return { status: "undeclared" };
    if (!window.limit.take()) {
      window.counts.throttled += 1;
      this.stats.throttled += 1;
      window.report("throttled", { count: window.counts.throttled, topic });
      return { status: "throttled" };
    }
    let clone;
    try {
      const text = JSON.stringify(payload ?? null);
      if (text.length > MAX_PAYLOAD_BYTES) throw new Error(`the payload is over ${MAX_PAYLOAD_BYTES} bytes`);
      clone = JSON.parse(text);
    } catch (error) {
      return this.#invalid(window, topic, [{ path: "", message: error.message }]);
    }
    const errors = declared.validate(clone);
    if (errors.length) return this.#invalid(window, topic, errors);
    const origin = this.#current?.origin ?? `${this.#prefix}-${(this.#seq += 1)}`;
    const message = { id: `${this.#prefix}-m${(this.#seq += 1)}`, origin, topic, payload: clone,
      source: { windowId, widgetId: window.widgetId } };
    this.stats.published += 1;
    const delivered = this.route(message);
    for (const listener of this.listeners) listener(message);
    return { status: "delivered", delivered };
  }

  /**
   * Route an accepted message (local, or from another browser window / the relay) to the
   * local windows it reaches; answers the window ids delivered to.
   */
  route(message) {
    const key = topicKey(message.topic);
    const from = message.source.windowId;
    const outer = this.#current;
    const seen = outer?.origin === message.origin ? outer.seen : this.#seenFor(message.origin);
    seen.add(`${from}\0${key}`);
    this.#current = { origin: message.origin, seen };
    const delivered = [];
    try {
      const channel = channelOf(this.#wiring, from);
      if (channel) {
        if (!this.#lastByChannel.has(channel)) this.#lastByChannel.set(channel, new Map());
        this.#lastByChannel.get(channel).set(key, message);
        for (const [id, window] of this.windows) {
          if (seen.has(`${id}\0${key}`) || channelOf(this.#wiring, id) !== channel) continue;
          const accepted = window.accepts.get(key);
          if (accepted && this.#deliver(window, accepted, message, null)) {
            seen.add(`${id}\0${key}`);
            delivered.push(id);
          }
        }
      }
      for (const wire of this.#wiring.wires) {
        if (wire.from.window !== from || topicKey(wire.from.topic) !== key) continue;
        const mapped = { ...message, topic: wire.to.topic, payload: mapPayload(message.payload, wire.map), wire: wire.id };
        this.#lastByWire.set(wire.id, mapped);
        const window = this.windows.get(wire.to.window);
        const target = `${wire.to.window}\0${topicKey(wire.to.topic)}`;
        if (!window || seen.has(target)) continue;
        const accepted = window.accepts.get(topicKey(wire.to.topic));
        if (accepted && this.#deliver(window, accepted, mapped, this.windows.get(from))) {
          seen.add(target);
          delivered.push(window.windowId);
        }
      }
    } finally {
      this.#current = outer;
    }
    return delivered;
  }

  /** The current selections (last value per channel/topic and per wire), for a view state. */
  snapshot() {
    const channels = {};
    for (const [channel, topics] of this.#lastByChannel) {
      channels[channel] = Object.fromEntries([...topics.values()].map((m) => [m.topic, { payload: m.payload, source: m.source }]));
    }
    const wires = Object.fromEntries([...this.#lastByWire].map(([id, m]) => [id, { topic: m.topic, payload: m.payload, source: m.source }]));
    return { channels, wires };
  }

  /** Take over the selections of a snapshot (a view state, or another window's) and replay them. */
  restore(snapshot) {
    for (const [channel, topics] of Object.entries(snapshot?.channels ?? {})) {
      if (!this.#lastByChannel.has(channel)) this.#lastByChannel.set(channel, new Map());
      for (const [topic, { payload, source }] of Object.entries(topics ?? {})) {
        const key = topicKey(topic);
        if (key) this.#lastByChannel.get(channel).set(key, { id: `${this.#prefix}-r${(this.#seq += 1)}`, origin: "restored", topic, payload, source: source ?? {} });
      }
    }
    for (const [id, { topic, payload, source }] of Object.entries(snapshot?.wires ?? {})) {
      if (topicKey(topic)) this.#lastByWire.set(id, { id: `${this.#prefix}-r${(this.#seq += 1)}`, origin: "restored", topic, payload, source: source ?? {}, wire: id });
    }
    for (const id of this.windows.keys()) this.#replay(id, { channel: true, wires: true });
  }

  #seenFor(origin) {
    let seen = this.#recentOrigins.get(origin);
    if (!seen) {
      seen = new Set();
      this.#recentOrigins.set(origin, seen);
      if (this.#recentOrigins.size > 256) this.#recentOrigins.delete(this.#recentOrigins.keys().next().value);
    }
    return seen;
  }

  #invalid(window, topic, errors) {
    window.counts.invalid += 1;
    this.stats.invalid += 1;
    window.report("invalid", { count: window.counts.invalid, topic, errors });
    return { status: "invalid", errors };
  }

  #deliver(window, accepted, message, sender) {
    const errors = accepted.validate(message.payload);
    if (errors.length) {
      if (sender) {
        sender.counts.undeliverable += 1;
        sender.report("undeliverable", { count: sender.counts.undeliverable, topic: message.topic, to: window.windowId, errors });
      }
      return false;
    }
    try {
      window.deliver({ ...message, topic: accepted.topic });
    } catch (error) {
      window.counts.handler += 1;
      this.stats.handlerErrors += 1;
      window.report("handler", { count: window.counts.handler, topic: message.topic, error });
    }
    this.stats.delivered += 1;
    return true;
  }

  #replay(windowId, { channel, wires }) {
    const window = this.windows.get(windowId);
    if (!window) return;
    const own = channelOf(this.#wiring, windowId);
    if (channel && own) {
      for (const [key, message] of this.#lastByChannel.get(own) ?? []) {
        const accepted = window.accepts.get(key);
        if (accepted && message.source.windowId !== windowId) this.#deliver(window, accepted, { ...message, replay: true }, null);
      }
    }
    if (wires) {
      for (const wire of this.#wiring.wires) if (wire.to.window === windowId) this.#replayWire(wire);
    }
  }

  #replayWire(wire) {
    const message = this.#lastByWire.get(wire.id);
    const window = this.windows.get(wire.to.window);
    const accepted = window?.accepts.get(topicKey(wire.to.topic));
    if (message && accepted) this.#deliver(window, accepted, { ...message, replay: true }, null);
  }
}

/** A validator for a declared schema; a schema the shell cannot check refuses every payload. */
function safeCompile(schema) {
  try {
    return compile(schema ?? true);
  } catch (error) {
    return () => [{ path: "", message: `the declared schema cannot be checked: ${error.message}` }];
  }
}
