// The bus's controls in the editing shell (DOM): a channel picker (colour dot) in each
// window's tab, the wires of a window drawn while the pointer is over it, and the wiring
// panel (a native <dialog>) that lists each window's topics and connects A.emits → B.accepts.

import { parseTopic, wireProblem } from "./topic.js";
import { CHANNELS } from "./wiring.js";

const LABELS = { null: "No channel", blue: "Blue", green: "Green", yellow: "Yellow", orange: "Orange", red: "Red", purple: "Purple" };
const CHOICES = [null, ...CHANNELS];

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
};

/**
 * The channel dot for one window's tab: a button that opens a small menu (arrow keys,
 * Enter, Escape). `windowId()` answers the tab's window id (it may change after creation).
 */
export function channelPicker(bus, windowId, { locked = () => false } = {}) {
  const button = el("button", { type: "button", className: "channel-dot" });
  button.setAttribute("aria-haspopup", "menu");
  const show = () => {
    const channel = bus.channelOf(windowId());
    button.dataset.channel = channel ?? "none";
    const label = `Channel: ${LABELS[channel]}`;
    button.setAttribute("aria-label", label);
    button.title = `${label} — windows on the same channel share their selections`;
    button.disabled = locked();
  };
  // golden-layout starts a drag or a tab switch on press: the dot is not part of the tab's drag surface
  for (const type of ["pointerdown", "mousedown", "touchstart"]) button.addEventListener(type, (event) => event.stopPropagation());
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    openMenu(button, bus.channelOf(windowId()), (channel) => bus.setChannel(windowId(), channel));
  });
  bus.addEventListener("wiring", show);
  bus.addEventListener("windows", show);
  show();
  return button;
}

function openMenu(anchor, current, choose) {
  document.querySelector(".channel-menu")?.remove();
  const menu = el("div", { className: "channel-menu" });
  menu.setAttribute("role", "menu");
  menu.setAttribute("aria-label", "Channel");
  const items = CHOICES.map((channel) => {
    const item = el("button", { type: "button", className: "channel-choice" },
      el("span", { className: "channel-swatch" }), el("span", { textContent: LABELS[channel] }));
    item.dataset.channel = channel ?? "none";
    item.setAttribute("role", "menuitemradio");
    item.setAttribute("aria-checked", String(channel === current));
    item.tabIndex = -1;
    item.addEventListener("click", () => { close(); choose(channel); });
    return item;
  });
  menu.append(...items);
  const close = () => {
    menu.remove();
    document.removeEventListener("pointerdown", outside, true);
    anchor.focus();
  };
  const outside = (event) => { if (!menu.contains(event.target) && event.target !== anchor) close(); };
  menu.addEventListener("keydown", (event) => {
    const index = items.indexOf(document.activeElement);
    if (event.key === "Escape") { event.preventDefault(); close(); }
    else if (event.key === "ArrowDown") { event.preventDefault(); items[(index + 1) % items.length].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); items[(index - 1 + items.length) % items.length].focus(); }
    else if (event.key === "Home") { event.preventDefault(); items[0].focus(); }
    else if (event.key === "End") { event.preventDefault(); items.at(-1).focus(); }
    else if (event.key === "Tab") close();
  });
  document.body.append(menu);
  const box = anchor.getBoundingClientRect();
  menu.style.left = `${Math.min(box.left, innerWidth - menu.offsetWidth - 8)}px`;
  menu.style.top = `${box.bottom + 4}px`;
  document.addEventListener("pointerdown", outside, true);
  (items.find((item) => item.getAttribute("aria-checked") === "true") ?? items[0]).focus();
}

/**
 * While the pointer is over a window, draw its wires (and name its channel mates) over the
 * workspace. `frames()` answers the frames on screen.
 */
export function wireOverlay(bus, workspaceElement, frames) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.classList.add("wire-overlay");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = `<defs><marker id="wire-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
    orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs><g></g>`;
  workspaceElement.parentElement.append(svg);
  const layer = svg.querySelector("g");
  let hovered = null;
  const centre = (frame) => {
    const box = frame.getBoundingClientRect();
    const origin = svg.getBoundingClientRect();
    return { x: box.left - origin.left + box.width / 2, y: box.top - origin.top + box.height / 2, visible: box.width > 0 };
  };
  const draw = () => {
    layer.replaceChildren();
    for (const frame of frames()) frame.classList.remove("wired-peer");
    if (!hovered) return;
    const byWindow = new Map([...frames()].map((frame) => [frame.busId, frame]));
    const id = hovered.busId;
    for (const wire of bus.wiring.wires) {
      if (wire.from.window !== id && wire.to.window !== id) continue;
      const [a, b] = [byWindow.get(wire.from.window), byWindow.get(wire.to.window)];
      if (!a || !b) continue;
      const [p, q] = [centre(a), centre(b)];
      if (!p.visible || !q.visible) continue;
      (a === hovered ? b : a).classList.add("wired-peer");
      const line = document.createElementNS(svg.namespaceURI, "path");
      const bend = Math.max(40, Math.abs(q.x - p.x) / 3);
      line.setAttribute("d", `M${p.x},${p.y} C${p.x + bend},${p.y} ${q.x - bend},${q.y} ${q.x},${q.y}`);
      line.setAttribute("marker-end", "url(#wire-arrow)");
      const label = document.createElementNS(svg.namespaceURI, "text");
      label.setAttribute("x", String((p.x + q.x) / 2));
      label.setAttribute("y", String((p.y + q.y) / 2 - 6));
      label.textContent = wire.from.topic === wire.to.topic ? wire.from.topic : `${wire.from.topic} → ${wire.to.topic}`;
      layer.append(line, label);
    }
  };
  workspaceElement.addEventListener("pointerover", (event) => {
    const frame = event.target.closest?.("tessera-widget-frame") ?? event.target.closest?.(".lm_item_container")?.querySelector("tessera-widget-frame");
    if (frame !== hovered) { hovered = frame ?? null; draw(); }
  });
  workspaceElement.addEventListener("pointerleave", () => { hovered = null; draw(); });
  bus.addEventListener("wiring", draw);
}

/** The wiring panel: a native <dialog> listing every window's topics, its wires, and a form to add one. */
export class WiringPanel {
  #bus;
  #titles;
  #dialog;

  constructor(bus, { titles = () => new Map() } = {}) {
    this.#bus = bus;
    this.#titles = titles;
    this.#dialog = el("dialog", { className: "wiring-panel" });
    this.#dialog.setAttribute("aria-labelledby", "wiring-title");
    document.body.append(this.#dialog);
    bus.addEventListener("wiring", () => { if (this.#dialog.open) this.render(); });
    bus.addEventListener("windows", () => { if (this.#dialog.open) this.render(); });
  }

  get element() { return this.#dialog; }

  open() {
    this.render();
    this.#dialog.showModal();
  }

  render() {
    const bus = this.#bus;
    const dialog = this.#dialog;
    const titles = this.#titles(); // the layout's windows, in its order (one read of the layout)
    const title = (windowId) => titles.get(windowId) ?? bus.declared.get(windowId)?.label ?? windowId;
    // as the layout shows them, not in the order their widgets declared themselves
    const order = [...titles.keys()];
    const place = (windowId) => (order.includes(windowId) ? order.indexOf(windowId) : order.length);
    const windows = [...bus.declared.entries()].sort(([a], [b]) => place(a) - place(b));
    const topics = (list) => Object.keys(list).map((topic) => el("code", { textContent: topic }));
    const rows = windows.map(([id, declared]) => {
      const channel = bus.channelOf(id);
      const dot = el("span", { className: "channel-swatch", title: LABELS[channel] });
      dot.dataset.channel = channel ?? "none";
      return el("tr", {}, el("th", { scope: "row" }, dot, ` ${title(id)}`),
        el("td", {}, ...topics(declared.emits)), el("td", {}, ...topics(declared.accepts)));
    });
    const wires = bus.wiring.wires.map((wire) => {
      const remove = el("button", { type: "button", className: "text-button small", textContent: "Remove" });
      remove.setAttribute("aria-label", `Remove the wire from ${title(wire.from.window)} to ${title(wire.to.window)}`);
      remove.addEventListener("click", () => bus.disconnect(wire.id));
      const mapping = wire.map?.length ? wire.map.map((m) => `${wire.from.topic}.${m.from} → ${wire.to.topic}.${m.to}`).join(", ") : "same topic";
      return el("li", {}, el("span", { textContent: `${title(wire.from.window)} · ${wire.from.topic} → ${title(wire.to.window)} · ${wire.to.topic}` }),
        el("small", { textContent: mapping }), remove);
    });
    const emitted = windows.flatMap(([id, d]) => Object.keys(d.emits).filter((t) => parseTopic(t)).map((topic) => ({ id, topic })));
    const accepted = windows.flatMap(([id, d]) => Object.keys(d.accepts).filter((t) => parseTopic(t)).map((topic) => ({ id, topic })));
    const option = ({ id, topic }) => el("option", { value: JSON.stringify([id, topic]), textContent: `${title(id)} · ${topic}` });
    const from = el("select", { name: "from", required: true }, ...emitted.map(option));
    const to = el("select", { name: "to", required: true });
    const mapFrom = el("input", { name: "mapFrom", placeholder: "e.g. referrer", autocomplete: "off" });
    const mapTo = el("input", { name: "mapTo", placeholder: "e.g. filters.referrer", autocomplete: "off" });
    const status = el("p", { className: "wiring-status", role: "status" });
    const add = el("button", { type: "submit", className: "text-button primary", textContent: "Connect" });
    const fillTargets = () => {
      // only compatible receivers: the same topic, or one a mapping could fill
      const [source, topic] = JSON.parse(from.value || "[null,null]");
      const schema = bus.declared.get(source)?.emits[topic];
      const map = mapFrom.value && mapTo.value ? [{ from: mapFrom.value.trim(), to: mapTo.value.trim() }] : [];
      const fits = accepted.filter((a) => a.id !== source && !wireProblem({ from: topic, fromSchema: schema, to: a.topic,
        toSchema: bus.declared.get(a.id)?.accepts[a.topic], map }));
      const keep = to.value;
      to.replaceChildren(...fits.map(option));
      if (fits.some((a) => JSON.stringify([a.id, a.topic]) === keep)) to.value = keep;
      add.disabled = fits.length === 0;
      status.textContent = emitted.length === 0 ? "No window emits a topic yet."
        : fits.length === 0 ? (map.length ? "No window accepts that mapping." : "No window accepts this topic; add a field mapping to wire it to another topic.") : "";
    };
    from.addEventListener("change", fillTargets);
    mapFrom.addEventListener("input", fillTargets);
    mapTo.addEventListener("input", fillTargets);
    const form = el("form", { className: "wiring-form" },
      el("label", {}, "From (emits) ", from), el("label", {}, "To (accepts) ", to),
      el("fieldset", {}, el("legend", { textContent: "Field mapping (optional)" }), el("label", {}, "from field ", mapFrom), el("label", {}, "to field ", mapTo)),
      add, status);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const [a, fromTopic] = JSON.parse(from.value);
      const [b, toTopic] = JSON.parse(to.value);
      const map = mapFrom.value && mapTo.value ? [{ from: mapFrom.value.trim(), to: mapTo.value.trim() }] : [];
      const problem = bus.connect({ from: { window: a, topic: fromTopic }, to: { window: b, topic: toTopic }, map });
      if (problem) status.textContent = problem;
    });
    const close = el("button", { type: "button", className: "icon-button close", textContent: "×" });
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", () => dialog.close());
    dialog.replaceChildren(
      el("header", {}, el("h2", { id: "wiring-title", textContent: "Wiring" }), close),
      el("p", { className: "hint", textContent: "Windows on the same channel share every topic one emits and another accepts. Wires connect one window's topic to another's, across channels." }),
      el("table", { className: "wiring-topics" }, el("thead", {}, el("tr", {}, el("th", { textContent: "Window" }), el("th", { textContent: "Emits" }), el("th", { textContent: "Accepts" }))),
        el("tbody", {}, ...rows)),
      el("h3", { textContent: "Wires" }),
      wires.length ? el("ul", { className: "wires" }, ...wires) : el("p", { className: "hint", textContent: "No wires yet." }),
      el("h3", { textContent: "Connect" }), form);
    fillTargets();
  }
}
