// Defines <tessera-table>.
import { define } from "./define.js";
import { TableElement } from "./table-element.js";

define("tessera-table", TableElement);
export { TableElement };
