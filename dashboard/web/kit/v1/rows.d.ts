export type Row = Record<string, unknown>;
export interface Sort { key: string; direction: "asc" | "desc" }
export declare function sortRows<R extends object>(rows: R[], key: string, direction?: "asc" | "desc"): R[];
export declare function parseSort(text: string | null | undefined, fallbackKey?: string): Sort;
export declare function formatSort(sort: Sort): string;
export declare function toggleSort(current: Sort, key: string): Sort;
export declare function nextIndex(key: string, index: number | null, count: number, page?: number): number | null;
export declare function payloadFor(row: object, options?: { key?: string; field?: string; extra?: Row }): Row;
export declare function rowsOf(body: unknown): Row[];
