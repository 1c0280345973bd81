// <tessera-top-pages>: the site's most viewed pages in a kit table (Page · Visitors · Views);
// selecting a row emits page.selected {path} (again, or Escape: {path: null}).
// Follows the scope (scope.js): referrer, filters, time range, site; page.selected only
// marks the selected row (the list is not filtered down to one page).
import "/kit/v1/table-element.js";
import "/kit/v1/table.js";
import { BreakdownWidget } from "../../_shared/breakdown-widget.js";
import { scopeProperties } from "../../_shared/scope.js";

const COLUMNS = [
  { key: "path", label: "Page" },
  { key: "visitors", label: "Visitors", type: "number", width: 84 },
  { key: "views", label: "Views", type: "number", width: 76 },
];

export class TopPagesElement extends BreakdownWidget {
  static properties = scopeProperties;
  static title = "Top pages";
  static tabs = [{ dimension: "page", label: "Pages" }];
  static selects = ["page.selected"];

  createBody() {
    const table = document.createElement("tessera-table");
    table.setAttribute("columns", JSON.stringify(COLUMNS));
    table.setAttribute("sort", "views:desc");
    table.setAttribute("row-key", "path");
    table.setAttribute("emit-topic", "page.selected");
    table.setAttribute("emit-field", "path");
    table.setAttribute("empty-title", "No page views");
    table.setAttribute("error-title", "Top pages unavailable");
    return table;
  }

  shape(rows) {
    return rows.map((row) => ({ path: row.value, visitors: row.visitors, views: row.views }));
  }

  connected(signal) {
    super.connected(signal);
    this.accept("page.selected", ({ path }) => { this.body.selected = path ?? null; }, signal);
  }
}

TopPagesElement.defineProperties();
if (!customElements.get("tessera-top-pages")) customElements.define("tessera-top-pages", TopPagesElement);
