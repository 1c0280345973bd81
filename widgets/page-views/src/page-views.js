// Entry module: defines <tessera-page-views> (once) and re-exports its class.
import { PageViewsElement } from "./page-views-element.js";

if (!customElements.get("tessera-page-views")) {
  customElements.define("tessera-page-views", PageViewsElement);
}

export { PageViewsElement };
export default PageViewsElement;
