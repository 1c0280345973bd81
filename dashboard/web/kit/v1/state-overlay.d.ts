import { KitElement } from "./kit-element.js";

/** <tessera-state-overlay>: loading / empty / error covers and the stale / failed banner. */
export declare class StateOverlayElement extends KitElement {
  state: "loading" | "empty" | "error" | "ready";
  message: string;
  watermark: string;
  staleAfter: number;
  failed: string;
  titleText: string;
  readonly stale: boolean;
}

declare global {
  interface HTMLElementTagNameMap { "tessera-state-overlay": StateOverlayElement }
  interface HTMLElementEventMap { "tessera-state-overlay-retried": CustomEvent<{ state: string }> }
}
