export interface PropertySpec {
  type: "string" | "number" | "boolean" | "json";
  default?: unknown;
  min?: number;
}

/** The base of the kit's elements; widgets may extend it too. */
export declare class KitElement extends HTMLElement {
  /** Declared attributes (kebab-case), each mirrored by a camelCase property after `defineProperties()`. */
  static properties: Record<string, PropertySpec>;
  static css: string;
  static readonly observedAttributes: string[];
  static defineProperties(): void;
  /** "dark" | "light" | "" (follow the shell's tokens). */
  theme: string;
  /** Aborted on disconnect. */
  readonly signal: AbortSignal | undefined;
  queueRender(): void;
  emit<T>(type: string, detail: T): boolean;
  connectedCallback(): void;
  disconnectedCallback(): void;
  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void;
  protected connected(signal: AbortSignal): void;
  protected disconnected(): void;
  protected render(): void;
  protected resized(rect: DOMRectReadOnly): void;
  protected themeChanged(): void;
}
export declare const camelCase: (name: string) => string;
