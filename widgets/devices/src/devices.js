// <tessera-devices>: visitors by device type, browser or operating system (tabs), as a kit
// bar list; a clicked row emits filter.changed {filters: {device|browser|os: value}} (again,
// or Escape: the value null). Follows the scope (scope.js) — except the filter it sets itself.
import "/kit/v1/bar-list-element.js";
import "/kit/v1/bar-list.js";
import { BreakdownWidget } from "../../_shared/breakdown-widget.js";
import { scopeProperties } from "../../_shared/scope.js";

export class DevicesElement extends BreakdownWidget {
  static properties = scopeProperties;
  static title = "Devices";
  static tabs = [{ dimension: "device", label: "Device" }, { dimension: "browser", label: "Browser" }, { dimension: "os", label: "OS" }];

  createBody() {
    const list = document.createElement("tessera-bar-list");
    list.setAttribute("label-key", "value");
    list.setAttribute("value-key", "visitors");
    list.setAttribute("label-heading", "Name");
    list.setAttribute("value-label", "Visitors");
    list.setAttribute("empty-title", "No visits");
    list.setAttribute("error-title", "Devices unavailable");
    list.addEventListener("tessera-bar-list-selected", (event) => {
      event.stopPropagation();
      const value = event.detail.row ? String(event.detail.row.value) : null;
      this.emit("filter.changed", { filters: { [this.dimension]: value } });
    });
    return list;
  }

  params() {
    const params = super.params();
    delete params[this.dimension]; // the tab's own dimension is what the list selects
    return params;
  }
}

DevicesElement.defineProperties();
if (!customElements.get("tessera-devices")) customElements.define("tessera-devices", DevicesElement);
