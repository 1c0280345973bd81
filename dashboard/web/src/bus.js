// The shell's event bus: widgets' declared topics are republished here as
// `message` events with detail {topic, payload, source: {frameId, widgetId}}.
// Routing rules between widgets (the "wiring") come with layouts; this is the seam.

export class ShellBus extends EventTarget {
  publish(message) {
    this.dispatchEvent(new CustomEvent("message", { detail: message }));
  }

  /** Calls `listener(message)` for every published message; returns an unsubscribe function. */
  subscribe(listener) {
    const handler = (event) => listener(event.detail);
    this.addEventListener("message", handler);
    return () => this.removeEventListener("message", handler);
  }
}
