// The layout's bus wiring (no DOM): which colour channel each window is on and the explicit
// wires between windows. Saved in the layout document's `wiring` field:
//
//   {defaultChannel: "blue" | null,          // the channel windows join unless told otherwise
//    channels: {<windowId>: colour | null},  // per-window choice; null = no channel
//    wires: [{id, from: {window, topic}, to: {window, topic}, map?: [{from: path, to: path}]}]}
//
// A document with no wiring (or `{}`) puts every window on the default channel "blue",
// so a table and a chart added to a fresh layout talk at once.

import { isPath, parseTopic } from "./topic.js";

export const CHANNELS = Object.freeze(["blue", "green", "yellow", "orange", "red", "purple"]);
export const DEFAULT_CHANNEL = "blue";
export const MAX_WIRES = 200;

export function emptyWiring() {
  return { defaultChannel: DEFAULT_CHANNEL, channels: {}, wires: [] };
}

/** A well-formed wiring from whatever a document holds; unknown or broken parts are dropped. */
export function normaliseWiring(raw) {
  const wiring = emptyWiring();
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return wiring;
  if (raw.defaultChannel === null || CHANNELS.includes(raw.defaultChannel)) wiring.defaultChannel = raw.defaultChannel;
  for (const [window, channel] of Object.entries(raw.channels ?? {})) {
    if (channel === null || CHANNELS.includes(channel)) wiring.channels[window] = channel;
  }
  for (const wire of Array.isArray(raw.wires) ? raw.wires.slice(0, MAX_WIRES) : []) {
    const ok = wire && wire.from && wire.to && typeof wire.from.window === "string" && typeof wire.to.window === "string"
      && parseTopic(wire.from.topic) && parseTopic(wire.to.topic)
      && (wire.map === undefined || (Array.isArray(wire.map) && wire.map.every((m) => isPath(m?.from) && isPath(m?.to))));
    if (!ok) continue;
    const clean = { id: typeof wire.id === "string" ? wire.id : wireId(wire), from: { window: wire.from.window, topic: wire.from.topic },
      to: { window: wire.to.window, topic: wire.to.topic } };
    if (wire.map?.length) clean.map = wire.map.map(({ from, to }) => ({ from, to }));
    wiring.wires.push(clean);
  }
  return wiring;
}

export function wireId(wire) {
  return `${wire.from.window}:${wire.from.topic}>${wire.to.window}:${wire.to.topic}`;
}

/** The channel a window is on (its own choice, else the default). */
export function channelOf(wiring, windowId) {
  return Object.hasOwn(wiring.channels, windowId) ? wiring.channels[windowId] : wiring.defaultChannel;
}

/** The wiring without the windows that are gone (`alive`: a Set of window ids). */
export function pruneWiring(wiring, alive) {
  return {
    defaultChannel: wiring.defaultChannel,
    channels: Object.fromEntries(Object.entries(wiring.channels).filter(([window]) => alive.has(window))),
    wires: wiring.wires.filter((wire) => alive.has(wire.from.window) && alive.has(wire.to.window)),
  };
}
