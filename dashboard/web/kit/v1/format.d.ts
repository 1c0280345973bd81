export type Format = "number" | "percent" | "duration";
export declare function formatNumber(value: unknown): string;
export declare function formatPercent(ratio: unknown): string;
export declare function formatDuration(seconds: unknown): string;
export declare function formatValue(value: unknown, format?: Format): string;
/** Make the number formatters now (the kit does it when the page is first idle; a page's first Intl formatter is slow to make). */
export declare function warmFormats(): void;
export declare function change(value: unknown, previous: unknown): { ratio: number | null; direction: "up" | "down" | "flat"; text: string };
export declare function lagSeconds(watermark: string | null | undefined, now?: number): number | null;
export declare function isStale(watermark: string | null | undefined, staleAfter: number, now?: number): boolean;
export declare function clockTime(iso: string, now?: number): string;
