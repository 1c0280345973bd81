// Defines <tessera-state-overlay>.
import { define } from "./define.js";
import { StateOverlayElement } from "./state-overlay-element.js";

define("tessera-state-overlay", StateOverlayElement);
export { StateOverlayElement };
