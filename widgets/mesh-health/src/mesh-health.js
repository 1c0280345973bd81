// <platform-mesh-health>: the data mesh at a glance, from the platform team. Its data product
// is the registry's catalogue, read through the dashboard's catalogue API (/api/v1/catalogue,
// beside the metrics API the shell names in data-api): per team its widgets and how many are
// live / stale / gone and the team's latest heartbeat, then every widget with its team, status,
// data products and last heartbeat. Gone widgets come from /api/v1/catalogue?include=gone (the
// shell's add-widget catalogue never lists them). Polls every refresh-seconds (the kit's
// subscribe with stream: false).
import "/kit/v1/table-element.js";
import { DataClient, resolveBase } from "/kit/v1/data-client.js";
import { formatDuration, formatNumber } from "/kit/v1/format.js";
import { KitElement } from "/kit/v1/kit-element.js";
import "/kit/v1/table.js";
import { frameCss } from "../../_shared/frame-style.js";
import { meshRows as rowsOf } from "./mesh-data.js";

const css = `${frameCss}
.teams { display: flex; flex-wrap: wrap; gap: 6px; }
.team { display: flex; gap: 6px; align-items: baseline; padding: 4px 9px; border-radius: 6px; background: var(--kit-bg-2);
  border: 1px solid var(--kit-border); font-size: 12px; }
.team b { font-weight: 600; }
.team .live { color: var(--kit-good); }
.team .stale { color: var(--kit-warn); }
.team .gone { color: var(--kit-bad, #d44a3a); }
.team .seen { color: var(--kit-fg-3); }
`;

const COLUMNS = [
  { key: "widget", label: "Widget" },
  { key: "team", label: "Team", width: 116 },
  { key: "products", label: "Data products" },
  { key: "health", label: "Health", width: 80 },
];

/** Catalogue entries → one row per widget, plus per-team counts (live, stale, gone). Pure. */
export function meshRows(items, now = Date.now()) {
  return rowsOf(items, now, formatDuration);
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
      const answer = await this.client.query("catalogue", { include: "gone" });
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
      item.innerHTML = `<b></b><span class="live"></span><span class="stale"></span><span class="gone"></span><span class="seen"></span>`;
      item.querySelector("b").textContent = t.team;
      item.querySelector(".live").textContent = `${t.live} live`;
      item.querySelector(".stale").textContent = t.stale ? `${t.stale} stale` : "";
      item.querySelector(".gone").textContent = t.gone ? `${t.gone} gone` : "";
      item.querySelector(".seen").textContent = t.lastSeen === null ? "" : `last beat ${formatDuration(t.lastSeen)} ago`;
      item.querySelector(".seen").title = "the team's latest heartbeat";
      return item;
    }));
    if (this.theme) table.theme = this.theme;
    else table.removeAttribute("theme");
  }
}

MeshHealthElement.defineProperties();
if (!customElements.get("platform-mesh-health")) customElements.define("platform-mesh-health", MeshHealthElement);
