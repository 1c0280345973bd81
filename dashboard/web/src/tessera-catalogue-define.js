import { CatalogueElement } from "./tessera-catalogue.js";

if (!customElements.get("tessera-catalogue")) {
  customElements.define("tessera-catalogue", CatalogueElement);
}

export { CatalogueElement };
