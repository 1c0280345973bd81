export declare const themeCss: string;
export declare function sheetFor(css: string): CSSStyleSheet;
export declare function watchDocumentTheme(callback: () => void, signal: AbortSignal): void;
export declare function cssValue(element: Element, name: string, fallback?: string): string;
