// The well-known topics of the data mesh (their JSON Schemas: dashboard/topics/*.json,
// published at /api/v1/schema/topics/<name>).
export const TOPICS = Object.freeze({
  timeRange: "time.range",
  siteSelected: "site.selected",
  pageSelected: "page.selected",
  referrerSelected: "referrer.selected",
  filterChanged: "filter.changed",
});
