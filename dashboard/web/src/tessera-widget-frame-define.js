import { WidgetFrameElement } from "./tessera-widget-frame.js";

if (!customElements.get("tessera-widget-frame")) {
  customElements.define("tessera-widget-frame", WidgetFrameElement);
}

export { WidgetFrameElement };
