// Payloads of the data mesh's well-known topics. The JSON Schemas in dashboard/topics/
// (served at /api/v1/schema/topics/<name>) are the source of truth; these mirror them.

/** `time.range`: a time window was chosen. */
export interface TimeRangePayload {
  /** Start (inclusive), ISO 8601 with a zone. */
  from: string;
  /** End (exclusive), ISO 8601 with a zone. */
  to: string;
  interval?: "1m" | "1h" | "1d";
}

/** `site.selected`: a tracked site was chosen. */
export interface SiteSelectedPayload {
  site: string;
}

/** `page.selected`: a page was chosen; `null` clears the selection. */
export interface PageSelectedPayload {
  path: string | null;
  site?: string;
}

/** `referrer.selected`: a referrer host was chosen; `null` clears the selection. */
export interface ReferrerSelectedPayload {
  referrer: string | null;
  site?: string;
}

/** `filter.changed`: field → value (null removes that filter), e.g. {page: "/pricing"}. */
export interface FilterChangedPayload {
  filters: Record<string, string | null>;
}

export interface TopicPayloads {
  "time.range": TimeRangePayload;
  "site.selected": SiteSelectedPayload;
  "page.selected": PageSelectedPayload;
  "referrer.selected": ReferrerSelectedPayload;
  "filter.changed": FilterChangedPayload;
}

export type TopicName = keyof TopicPayloads;

/** What the shell delivers as the `tessera-message` event's detail (and `lastMessage`). */
export interface TesseraMessage<T extends string = string> {
  topic: T;
  payload: T extends TopicName ? TopicPayloads[T] : unknown;
  source?: { frameId?: string; widgetId?: string };
}

export declare const TOPICS: {
  readonly timeRange: "time.range";
  readonly siteSelected: "site.selected";
  readonly pageSelected: "page.selected";
  readonly referrerSelected: "referrer.selected";
  readonly filterChanged: "filter.changed";
};

declare global {
  interface HTMLElementEventMap {
    "time.range": CustomEvent<TimeRangePayload>;
    "site.selected": CustomEvent<SiteSelectedPayload>;
    "page.selected": CustomEvent<PageSelectedPayload>;
    "referrer.selected": CustomEvent<ReferrerSelectedPayload>;
    "filter.changed": CustomEvent<FilterChangedPayload>;
    "tessera-message": CustomEvent<TesseraMessage>;
  }
}
