// <tessera-kpi-tiles>: a row of KPI tiles, each a value, its change against the previous
// period and a sparkline; tiles wrap to the width they get.
//
// Property rows: [{key, label, value, previous, format: "number" | "percent" | "duration",
// better: "up" | "down" (default "up": is a rise good news?), spark: [numbers]}].
// Attributes: min-tile-width (px, default 112), comparison (text after the change, default
// "vs previous period"), plus the data-state attributes.  Inside a size container (CSS
// container-type: size, e.g. a widget's body) the tiles fit its height: the sparklines shrink
// first, so a short window shows every label and value uncut.

import { DataElement, dataProperties } from "./data-element.js";
import { change, formatValue } from "./format.js";
import { sparkPath } from "./sparkline.js";

const css = `
:host { display: block; position: relative; min-height: 96px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(var(--tile-width, 112px), 100%), 1fr)); gap: 8px;
  padding: 4px; min-height: 96px; }
.tile { container-type: inline-size; position: relative; display: flex; flex-direction: column; gap: 2px; padding: 10px 12px 8px; min-width: 0;
  border-radius: 6px; background: var(--kit-bg-2); border: 1px solid var(--kit-border); overflow: hidden; }
.label { font-size: 12px; color: var(--kit-fg-2);
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.value { font-size: 24px; font-weight: 600; line-height: 1.2; font-variant-numeric: tabular-nums; white-space: nowrap; }
.change { font-size: 12px; min-height: 1.4em; color: var(--kit-fg-3); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.change b { font-weight: 600; }
.change.good b { color: var(--kit-good); }
.change.bad b { color: var(--kit-bad); }
@container (max-width: 150px) { .change span { display: none; } .value { font-size: 21px; } }
svg { display: block; width: 100%; height: 28px; margin-top: 4px; overflow: visible; }
/* Inside a size container (a widget's body: container-type: size) the tiles fill its height
   and the sparkline takes what is left, up to 28 px, down to nothing; in a very short box
   the tiles tighten, then drop the change line (its text stays in the tile's title). */
@container (min-height: 0px) {
  :host { height: 100%; min-height: 0; }
  .tiles { height: 100%; box-sizing: border-box; min-height: 0; grid-auto-rows: minmax(min-content, 1fr); }
  .label, .value, .change { flex: none; }
  svg { flex: 1 1 0; height: auto; min-height: 0; max-height: 28px; }
}
@container (max-height: 84px) { .tiles { padding: 2px; gap: 6px; } .tile { padding: 5px 10px 4px; gap: 1px; } svg { display: none; }
  .label { font-size: 11.5px; } .value { font-size: 20px; line-height: 1.15; } .change { min-height: 1.3em; } }
@container (max-height: 70px) { .change { display: none; } }
path { fill: none; stroke: var(--kit-series-1); stroke-width: 1.5; vector-effect: non-scaling-stroke; stroke-linejoin: round; }
`;

export class KpiTilesElement extends DataElement {
  static css = css;
  static properties = {
    ...dataProperties,
    "min-tile-width": { type: "number", default: 112, min: 60 },
    comparison: { type: "string", default: "vs previous period" },
  };

  #parts;

  constructor() {
    super();
    this.shadowRoot.innerHTML = `<div class="tiles" part="tiles" role="list"></div><tessera-state-overlay></tessera-state-overlay>`;
    this.#parts = { tiles: this.shadowRoot.querySelector(".tiles"), state: this.shadowRoot.querySelector("tessera-state-overlay") };
  }

  render() {
    const { tiles, state } = this.#parts;
    tiles.style.setProperty("--tile-width", `${this.minTileWidth}px`);
    tiles.replaceChildren(...this.rows.map((tile) => {
      const item = document.createElement("div");
      item.className = "tile";
      item.setAttribute("role", "listitem");
      item.dataset.key = tile.key ?? tile.label ?? "";
      item.innerHTML = `<div class="label"></div><div class="value"></div><div class="change"><b></b> <span></span></div>
        <svg viewBox="0 0 100 28" preserveAspectRatio="none" aria-hidden="true"><path></path></svg>`;
      const delta = change(tile.value, tile.previous);
      const better = tile.better === "down" ? "down" : "up";
      const tone = delta.direction === "flat" ? "" : delta.direction === better ? "good" : "bad";
      item.querySelector(".label").textContent = tile.label ?? tile.key ?? "";
      item.querySelector(".value").textContent = formatValue(tile.value, tile.format);
      const changeBox = item.querySelector(".change");
      changeBox.className = `change ${tone}`;
      changeBox.querySelector("b").textContent = delta.text;
      changeBox.querySelector("span").textContent = delta.text ? this.comparison : "";
      item.title = delta.text ? `${delta.text} ${this.comparison}` : ""; // also when a short box hides the line
      const path = sparkPath(tile.spark);
      item.querySelector("path").setAttribute("d", path);
      item.querySelector("svg").style.visibility = path ? "visible" : "hidden";
      return item;
    }));
    this.renderState(state, "No figures for this period.");
  }
}

KpiTilesElement.defineProperties();
