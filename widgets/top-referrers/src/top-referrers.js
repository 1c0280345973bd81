// <tessera-top-referrers>: where visitors come from (referrer hosts; "" is direct) as a kit bar
// list; a clicked row emits referrer.selected {referrer} (again, or Escape: {referrer: null}).
// Follows the scope (scope.js): page, filters, time range, site; referrer.selected marks the row.
import "/kit/v1/bar-list-element.js";
import "/kit/v1/bar-list.js";
import { BreakdownWidget } from "../../_shared/breakdown-widget.js";
import { scopeProperties } from "../../_shared/scope.js";

export class TopReferrersElement extends BreakdownWidget {
  static properties = scopeProperties;
  static title = "Top referrers";
  static tabs = [{ dimension: "referrer", label: "Referrers" }];
  static selects = ["referrer.selected"];

  createBody() {
    const list = document.createElement("tessera-bar-list");
    list.setAttribute("label-key", "referrer");
    list.setAttribute("value-key", "visitors");
    list.setAttribute("label-heading", "Source");
    list.setAttribute("value-label", "Visitors");
    list.setAttribute("emit-topic", "referrer.selected");
    list.setAttribute("emit-field", "referrer");
    list.setAttribute("empty-title", "No referrers");
    list.setAttribute("error-title", "Referrers unavailable");
    return list;
  }

  shape(rows) {
    return rows.filter((row) => row.value !== "").map((row) => ({ referrer: row.value, visitors: row.visitors, views: row.views }));
  }

  connected(signal) {
    super.connected(signal);
    this.accept("referrer.selected", ({ referrer }) => { this.body.selected = referrer ?? null; }, signal);
  }
}

TopReferrersElement.defineProperties();
if (!customElements.get("tessera-top-referrers")) customElements.define("tessera-top-referrers", TopReferrersElement);
