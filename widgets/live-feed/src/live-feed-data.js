// The live feed's list, pure (no DOM): single page views from the query API's `recent` SSE
// stream, newest first, each once (a resumed stream sends again the page views of its last
// millisecond), at most `max`.

export const MAX_ARRIVALS = 50;

/** `events` (oldest first, as the stream sends them) added to `list` (newest first). */
export function addArrivals(list, events, max = MAX_ARRIVALS) {
  const seen = new Set(list.map((item) => item.id));
  const fresh = [];
  for (const event of Array.isArray(events) ? events : []) {
    if (!event || typeof event.id !== "string" || typeof event.t !== "string" || seen.has(event.id)) continue;
    seen.add(event.id);
    fresh.push({ id: event.id, t: event.t, path: String(event.path ?? "/"), referrer: event.referrer || null,
      device: event.device || null, browser: event.browser || null, os: event.os || null });
  }
  return [...fresh.reverse(), ...list].sort((a, b) => Date.parse(b.t) - Date.parse(a.t)).slice(0, max);
}

/** "news.example · mobile · Firefox": what else a line says about a page view. */
export function arrivalDetail(item) {
  return [item.referrer ?? "direct", item.device, item.browser].filter(Boolean).join(" · ");
}
