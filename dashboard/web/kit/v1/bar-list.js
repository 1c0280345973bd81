// Defines <tessera-bar-list>.
import { BarListElement } from "./bar-list-element.js";
import { define } from "./define.js";

define("tessera-bar-list", BarListElement);
export { BarListElement };
