// Defines <tessera-kpi-tiles>.
import { define } from "./define.js";
import { KpiTilesElement } from "./kpi-tiles-element.js";

define("tessera-kpi-tiles", KpiTilesElement);
export { KpiTilesElement };
