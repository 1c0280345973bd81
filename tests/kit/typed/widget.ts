// A team's TypeScript widget against the kit's declarations (type-checked by tests/kit/test_types.py).
import { clientFor, QueryError } from "/kit/v1/data-client.js";
import { KitElement } from "/kit/v1/kit-element.js";
import "/kit/v1/table.js";
import type { TableElement } from "/kit/v1/table.js";
import type { PageSelectedPayload, TesseraMessage, TimeRangePayload } from "/kit/v1/topics.js";

interface PageRow { value: string; views: number; visitors: number }

export class TopPages extends KitElement {
  static properties = { site: { type: "string" as const, default: "demo.local" } };

  protected connected(signal: AbortSignal): void {
    const table = this.shadowRoot!.querySelector<TableElement<PageRow>>("tessera-table")!;
    table.emitTopic = "page.selected";
    table.load(clientFor(this).query<PageRow>("breakdown", { dimension: "page", filters: { browser: "Firefox" } }));
    table.addEventListener("page.selected", (event) => {
      const payload: PageSelectedPayload = event.detail;
      const path: string | null = payload.path;
      void path;
    }, { signal });
    this.addEventListener("tessera-message", (event) => {
      const message: TesseraMessage = event.detail;
      if (message.topic === "time.range") {
        const range = message.payload as TimeRangePayload;
        void range.from.toUpperCase();
      }
    }, { signal });
    this.accept("time.range", (range) => void range.to.toUpperCase(), signal);
    // @ts-expect-error a site.selected payload has no path
    this.accept("site.selected", (payload) => void payload.path, signal);
    const subscription = clientFor("/api/v1/metrics").subscribe("stream", { site: "demo.local" }, (update) => {
      if (update.via === "poll") void update.type;
    }, { events: ["minute"] });
    subscription.close();
  }
}

function handle(error: unknown): number {
  return error instanceof QueryError ? error.status : 0;
}
void handle;

// @ts-expect-error a time.range needs `to`
const wrong: TimeRangePayload = { from: "2026-01-01T00:00:00Z" };
void wrong;
// @ts-expect-error attributes are typed
document.createElement("tessera-table").emitTopic = 42;

// The same names through the kit's one module (what the built-in widgets import).
import { clientFor as kitClientFor, formatNumber, KitElement as KitKitElement } from "/kit/v1/kit.js";
import type { PageSelectedPayload as KitPageSelected } from "/kit/v1/kit.js";
const sameClass: typeof KitElement = KitKitElement;
const fromKit: KitPageSelected = { path: "/" };
void [sameClass, fromKit, formatNumber(1200), kitClientFor("/api/v1/metrics")];
// @ts-expect-error the kit's one module leaves the time series out (it is /kit/v1/time-series.js)
import { TimeSeriesElement } from "/kit/v1/kit.js";
void TimeSeriesElement;
// index.js: the whole kit, the time series included
import { KIT_VERSION, themeCss, TimeSeriesElement as IndexSeries } from "/kit/v1/index.js";
import { TimeSeriesElement as SeriesElement } from "/kit/v1/time-series.js";
const sameSeries: typeof SeriesElement = IndexSeries;
void [KIT_VERSION.length, themeCss.length, sameSeries];
