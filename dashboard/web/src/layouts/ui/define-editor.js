// Defines the editing shell's layout elements (never imported by the casual view).

import { ConflictDialogElement } from "./tessera-conflict-dialog.js";
import { HistoryPanelElement } from "./tessera-history-panel.js";
import { LayoutBarElement } from "./tessera-layout-bar.js";
import { LayoutGalleryElement } from "./tessera-layout-gallery.js";
import { ShareDialogElement } from "./tessera-share-dialog.js";

for (const [name, element] of [
  ["tessera-layout-bar", LayoutBarElement],
  ["tessera-history-panel", HistoryPanelElement],
  ["tessera-share-dialog", ShareDialogElement],
  ["tessera-conflict-dialog", ConflictDialogElement],
  ["tessera-layout-gallery", LayoutGalleryElement],
]) {
  if (!customElements.get(name)) customElements.define(name, element);
}
