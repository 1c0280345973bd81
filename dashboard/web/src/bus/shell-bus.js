// The shell's event bus: one per page (main shell, casual view, popout). Frames join it
// with their window id and their widget's declared topics; it owns the router (channels,
// wires, validation, loop protection, rate limits, last values) and the layout's wiring,
// and tells listeners when the wiring changes ("wiring" event, detail {silent}: a loaded
// wiring is not an edit), when windows join or leave ("windows"), or a message is accepted
// ("message" event, detail = the message), which is what crosses to other browser windows.

import { BusRouter } from "./router.js";
import { wireProblem } from "./topic.js";
import { channelOf, normaliseWiring, pruneWiring, wireId } from "./wiring.js";

export class ShellBus extends EventTarget {
  router;
  #declared = new Map(); // windowId -> {widgetId, label, emits, accepts}

  constructor({ wiring, rateLimit } = {}) {
    super();
    this.router = new BusRouter({ wiring, rateLimit });
    this.router.listeners.add((message) => this.dispatchEvent(new CustomEvent("message", { detail: message })));
  }

  get wiring() { return this.router.wiring; }

  /** Replace the whole wiring (a loaded layout); `silent` skips the "wiring" event. */
  setWiring(wiring, { silent = false } = {}) {
    this.router.setWiring(normaliseWiring(wiring));
    this.dispatchEvent(new CustomEvent("wiring", { detail: { silent } }));
  }

  channelOf(windowId) { return channelOf(this.wiring, windowId); }

  setChannel(windowId, channel) {
    const wiring = structuredClone(this.wiring);
    if (channel === wiring.defaultChannel) delete wiring.channels[windowId];
    else wiring.channels[windowId] = channel;
    this.setWiring(wiring);
  }

  /** Add a wire A.emits → B.accepts; answers null, or why it cannot be wired. */
  connect({ from, to, map = [] }) {
    const sender = this.#declared.get(from.window);
    const receiver = this.#declared.get(to.window);
    if (!sender || !Object.hasOwn(sender.emits, from.topic)) return `that window does not emit ${from.topic}`;
    if (!receiver || !Object.hasOwn(receiver.accepts, to.topic)) return `that window does not accept ${to.topic}`;
    if (from.window === to.window) return "a window cannot be wired to itself";
    const problem = wireProblem({ from: from.topic, fromSchema: sender.emits[from.topic], to: to.topic,
      toSchema: receiver.accepts[to.topic], map });
    if (problem) return problem;
    const wire = { from, to, ...(map.length ? { map } : {}) };
    wire.id = wireId(wire);
    const wiring = structuredClone(this.wiring);
    wiring.wires = [...wiring.wires.filter((w) => w.id !== wire.id), wire];
    this.setWiring(wiring);
    return null;
  }

  disconnect(id) {
    const wiring = structuredClone(this.wiring);
    wiring.wires = wiring.wires.filter((w) => w.id !== id);
    this.setWiring(wiring);
  }

  /** Drop the channels and wires of windows that are gone. */
  prune(alive) {
    const pruned = pruneWiring(this.wiring, alive);
    if (JSON.stringify(pruned) !== JSON.stringify(this.wiring)) this.setWiring(pruned);
  }

  join(windowId, { widgetId, label, emits = {}, accepts = {}, deliver, report }) {
    this.#declared.set(windowId, { widgetId, label: label ?? widgetId, emits: emits ?? {}, accepts: accepts ?? {} });
    this.router.join(windowId, { widgetId, emits, accepts, deliver, report });
    this.#changed();
  }

  leave(windowId) {
    this.#declared.delete(windowId);
    this.router.leave(windowId);
    this.#changed();
  }

  /** Each joined window's widget and declared topics (for the wiring panel). */
  get declared() { return this.#declared; }

  publish(windowId, topic, payload) {
    return this.router.publish(windowId, topic, payload);
  }

  /** Calls `listener(message)` for every message the bus accepts from a window; returns an unsubscribe function. */
  subscribe(listener) {
    const handler = (event) => listener(event.detail);
    this.addEventListener("message", handler);
    return () => this.removeEventListener("message", handler);
  }

  snapshot() { return this.router.snapshot(); }
  restore(snapshot) { this.router.restore(snapshot); }

  #changed() {
    this.dispatchEvent(new CustomEvent("windows"));
  }
}
