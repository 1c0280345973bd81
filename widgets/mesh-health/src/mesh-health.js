// <platform-mesh-health>: the data mesh at a glance, from the platform team. Its data product
// is the registry's catalogue, read through the dashboard's catalogue API (/api/v1/catalogue,
// beside the metrics API the shell names in data-api): per team its widgets and how many are
// live / stale, then every widget with its team, status, data products and last heartbeat.
// Polls every refresh-seconds (the kit's subscribe with stream: false). (The dashboard lists live and stale widgets; a widget
// gone from the registry leaves the list.)
import "../../_shared/kit-preload.js"; // the kit's modules in parallel, not as a chain
import "/kit/v1/table-element.js";
import { DataClient, resolveBase } from "/kit/v1/data-client.js";
import { formatDuration, formatNumber } from "/kit/v1/format.js";
import { KitElement } from "/kit/v1/kit-element.js";
import "/kit/v1/table.js";
import { frameCss } from "../../_shared/frame-style.js";

const css = `${frameCss}
.teams { display: flex; flex-wrap: wrap; gap: 6px; }
.team { display: flex; gap: 6px; align-items: baseline; padding: 4px 9px; border-radius: 6px; background: var(--kit-bg-2);
  border: 1px solid var(--kit-border); font-size: 12px; }
.team b { font-weight: 600; }
.team .live { color: var(--kit-good); }
.team .stale { color: var(--kit-warn); }
`;

const COLUMNS = [
  { key: "widget", label: "Widget" },
  { key: "team", label: "Team", width: 116 },
  { key: "products", label: "Data products" },
  { key: "health", label: "Health", width: 80 },
];

/** Catalogue entries → one row per widget, plus per-team counts. Pure. */
export function meshRows(items, now = Date.now()) {
  const rows = items.map((w) => ({
    id: w.id,
    widget: w.label || w.id,
    team: w.team || "(none)",
    status: w.status || "live",
    products: (w.dataProducts ?? []).join(", ") || "—",
    heartbeat: w.lastSeen ? Math.max(0, Math.round((now - Date.parse(w.lastSeen)) / 1000)) : null,
  }));
  // status and the last heartbeat's age in one column ("live · 3s": the last heartbeat's age)
  for (const row of rows) row.health = row.heartbeat === null ? row.status : `${row.status} · ${formatDuration(row.heartbeat)}`;
  const teams = new Map();
  for (const row of rows) {
    const team = teams.get(row.team) ?? { team: row.team, widgets: 0, live: 0, stale: 0, products: new Set() };
    team.widgets += 1;
    team[row.status === "stale" ? "stale" : "live"] += 1;
    for (const product of row.products.split(", ")) if (product !== "—") team.products.add(product);
    teams.set(row.team, team);
  }
  return { rows, teams: [...teams.values()].sort((a, b) => a.team.localeCompare(b.team)) };
}

export class MeshHealthElement extends KitElement {
  static css = css;
  static properties = {
    "data-api": { type: "string", default: "" },
    "refresh-seconds": { type: "number", default: 10, min: 1 },
  };

  #parts;
  #client = null;
  #live = null;
  #teams = [];

  constructor() {
    super();
    this.shadowRoot.innerHTML = `
      <section class="frame" part="frame">
        <header class="head"><div class="titles"><h2 class="title">Mesh health</h2><div class="sub">widgets by team · registry catalogue</div></div>
          <div class="teams" role="list"></div></header>
        <div class="body"><tessera-table row-key="id" sort="team:asc"
          loading-text="Reading the catalogue…" empty-title="No widgets" error-title="Catalogue unavailable"></tessera-table></div>
      </section>`;
    const $ = (s) => this.shadowRoot.querySelector(s);
    this.#parts = { teams: $(".teams"), table: $("tessera-table"), sub: $(".sub") };
    this.#parts.table.setAttribute("columns", JSON.stringify(COLUMNS));
  }

  /** The dashboard's API root: the shell's metrics base without its last segment. */
  get client() {
    const base = resolveBase(this).replace(/\/metrics$/, "");
    if (this.#client?.base !== base) this.#client = new DataClient(base);
    return this.#client;
  }

  connected(signal) {
    this.addEventListener("tessera-state-overlay-retried", () => this.refresh(), { signal });
    // polled, not streamed: a page holds few connections per origin (HTTP/1.1: six) and the
    // shell already follows the catalogue's stream; a heartbeat every ttl/3 s suits polling
    this.#live = this.client.subscribe("catalogue", {}, () => this.refresh(), { stream: false, pollMs: this.refreshSeconds * 1000 });
    this.refresh();
  }

  disconnected() { this.#live?.close(); }

  async refresh() {
    if (!this.isConnected) return;
    await this.#parts.table.load(async () => {
      const answer = await this.client.query("catalogue", {});
      const { rows, teams } = meshRows(answer.body?.items ?? []);
      this.#teams = teams;
      return { rows, watermark: null };
    });
    this.queueRender();
  }

  render() {
    const { teams, table, sub } = this.#parts;
    sub.textContent = `${formatNumber(this.#teams.reduce((n, t) => n + t.widgets, 0))} widgets · ${this.#teams.length} teams · registry catalogue`;
    teams.replaceChildren(...this.#teams.map((t) => {
      const item = document.createElement("div");
      item.className = "team";
      item.setAttribute("role", "listitem");
      item.title = [...t.products].join(", ");
      item.innerHTML = `<b></b><span class="live"></span><span class="stale"></span>`;
      item.querySelector("b").textContent = t.team;
      item.querySelector(".live").textContent = `${t.live} live`;
      item.querySelector(".stale").textContent = t.stale ? `${t.stale} stale` : "";
      return item;
    }));
    if (this.theme) table.theme = this.theme;
    else table.removeAttribute("theme");
  }
}

MeshHealthElement.defineProperties();
if (!customElements.get("platform-mesh-health")) customElements.define("platform-mesh-health", MeshHealthElement);
