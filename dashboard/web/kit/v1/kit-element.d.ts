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
  /** The last message the shell delivered. */
  lastMessage: import("./topics.js").TesseraMessage | null;
  /** Handle each delivered message of `topic` (event or lastMessage) until `signal` aborts. */
  accept<T extends import("./topics.js").TopicName>(topic: T, handler: (payload: import("./topics.js").TopicPayloads[T], message: import("./topics.js").TesseraMessage<T>) => void, signal?: AbortSignal): () => void;
  accept(topic: string, handler: (payload: unknown, message: import("./topics.js").TesseraMessage) => void, signal?: AbortSignal): () => void;
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
