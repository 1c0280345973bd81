// The minimal shell of a golden-layout popout window (`?gl-window=…`): no title bar, no
// catalogue, no layout session; golden-layout itself, the window's widget frame, a
// catalogue feed, and a bus bridged to the main window (wiring, current values, messages).
// The popout never saves: the main window saves the layout (its popouts folded back in)
// when told that something here changed. golden-layout gives a popped-out window no tab,
// so its channel dot sits in the window's top-right corner; a channel chosen here crosses
// to the main window with the wiring and is saved there.

import "./tessera-widget-frame-define.js";
import { GoldenLayout } from "golden-layout";
import { BusBridge } from "./bus/bridge.js";
import { channelPicker } from "./bus/bus-ui.js";
import { ShellBus } from "./bus/shell-bus.js";
import { CatalogueFeed } from "./catalogue-feed.js";
import { COMPONENT_TYPE } from "./layouts/document.js";
import { applyTheme, storedTheme } from "./theme.js";

export function startPopout() {
  document.body.dataset.page = "popout";
  const theme = applyTheme(storedTheme());
  const catalogue = new CatalogueFeed();
  const bus = new ShellBus();
  const session = window.opener?.tessera?.busSession ?? `path:${location.pathname}`;
  const bridge = new BusBridge(bus, session, { role: "popout" });
  const frames = new Set();
  const layout = new GoldenLayout();
  layout.resizeWithContainerAutomatically = true;
  layout.registerComponentFactoryFunction(COMPONENT_TYPE, (container, state) => {
    const frame = document.createElement("tessera-widget-frame");
    frame.catalogue = catalogue;
    frame.bus = bus;
    frame.widgetAttributes = { ...(state?.attributes ?? {}) };
    frame.theme = theme;
    frame.pinnedVersion = state?.version ?? null;
    frame.windowId = state?.windowId ?? null;
    frame.widgetId = state?.widgetId ?? "";
    frame.addEventListener("tessera-widget-frame-changed", () => bridge.changed());
    container.element.append(frame);
    const corner = document.createElement("div");
    corner.className = "popout-channel";
    corner.style.cssText = "position:fixed;top:6px;right:6px;z-index:20;display:flex;padding:3px;border-radius:50%;"
      + "background:var(--panel-2);border:1px solid var(--border)";
    corner.append(channelPicker(bus, () => frame.windowId));
    document.body.append(corner);
    container.stateRequestEvent = () => ({ ...frame.state, windowId: frame.windowId });
    container.on("beforeComponentRelease", () => {
      corner.remove();
      frames.delete(frame);
      frame.release();
    });
    frames.add(frame);
    return undefined;
  });
  layout.on("tabCreated", (tab) => {
    const windowId = () => tab.contentItem?.container?.element?.querySelector("tessera-widget-frame")?.windowId;
    tab.titleElement.after(channelPicker(bus, windowId));
  });
  catalogue.start();
  window.tessera = { bus, bridge, catalogue, layout, frames };
}
