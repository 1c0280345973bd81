// Defines <tessera-time-series> (uPlot is bundled into the served module).
import { define } from "./define.js";
import { TimeSeriesElement } from "./time-series-element.js";

define("tessera-time-series", TimeSeriesElement);
export { TimeSeriesElement };
