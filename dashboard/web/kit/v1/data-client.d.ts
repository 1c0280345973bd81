/** A query parameter: repeated for arrays, ISO text for dates, one parameter per entry for objects (filters). */
export type ParamValue = string | number | boolean | Date | null | undefined | ParamValue[] | { [field: string]: ParamValue };
export type Params = Record<string, ParamValue>;

export interface QueryResult<Row = Record<string, unknown>, Body = unknown> {
  /** The answer's `rows` (or `items` / `points`). */
  rows: Row[];
  /** The data is complete up to this ISO time (null when the API gave none). */
  watermark: string | null;
  body: Body;
  url: string;
}

export interface QueryOptions {
  signal?: AbortSignal;
  /** Default 10 000. */
  timeoutMs?: number;
  /** Base URL (default: the dashboard's /api/v1/metrics). */
  base?: string;
}

export interface StreamUpdate<Data = unknown> {
  /** The SSE event name, or "poll" while the stream is down (refetch then). */
  type: string;
  data: Data | null;
  id: string | null;
  via: "sse" | "poll";
}

export interface SubscribeOptions {
  /** SSE event names to receive (default ["message"]). */
  events?: string[];
  /** Polling period while the stream is down (default 5000). */
  pollMs?: number;
  /** false: poll only, open no connection. */
  stream?: boolean;
  base?: string;
}

export interface Subscription {
  readonly url: string;
  readonly mode: "connecting" | "sse" | "poll" | "closed";
  readonly lastEventId: string | null;
  close(): void;
}

export declare class QueryError extends Error {
  name: "QueryError";
  /** HTTP status; 0 when no answer came. */
  status: number;
  /** The field a 422 names. */
  field: string | null;
  detail: unknown;
  url: string;
  timeout: boolean;
}

export interface DataClientOptions {
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
  timeoutMs?: number;
  pollMs?: number;
  maxStreamFailures?: number;
  streamRetryMs?: number;
  /** A stream opens once the page's queries in flight are answered, or after this many ms (default 3000; 0: at once). */
  streamHoldMs?: number;
}

export declare class DataClient {
  constructor(base: string | Element, options?: DataClientOptions);
  readonly base: string;
  url(path: string, params?: Params): string;
  query<Row = Record<string, unknown>, Body = unknown>(path: string, params?: Params, options?: QueryOptions): Promise<QueryResult<Row, Body>>;
  subscribe<Data = unknown>(path: string, params: Params, onUpdate: (update: StreamUpdate<Data>) => void, options?: SubscribeOptions): Subscription;
}

/** The shared client for a base URL, an element's (or its host's) `data-api`, or the default. */
export declare function clientFor(source?: string | Element): DataClient;
export declare function resolveBase(source?: string | Element): string;
export declare function buildUrl(base: string, path: string, params?: Params): string;
export declare function query<Row = Record<string, unknown>, Body = unknown>(path: string, params?: Params, options?: QueryOptions): Promise<QueryResult<Row, Body>>;
export declare function subscribe<Data = unknown>(path: string, params: Params, onUpdate: (update: StreamUpdate<Data>) => void, options?: SubscribeOptions): Subscription;
export declare function openStreams(): { url: string; subscribers: number; mode: string; lastEventId: string | null; opened: number }[];
