// The kit gallery: every element in both themes, with fixed data (tests and screenshots).
import "/kit/v1/index.js";

const MINUTE = 60_000;
const now = Date.parse(new URLSearchParams(location.search).get("now") || new Date().toISOString());
const start = Math.floor(now / MINUTE) * MINUTE - 59 * MINUTE;
export const points = Array.from({ length: 60 }, (_, i) => {
  const views = Math.round(30 + 18 * Math.sin(i / 6) + ((i * 37) % 11));
  return { t: new Date(start + i * MINUTE).toISOString(), views, visitors: Math.round(views * 0.46) };
});
export const pages = [
  { value: "/", views: 1841, visitors: 1203 }, { value: "/pricing", views: 932, visitors: 611 },
  { value: "/blog/launch-week", views: 721, visitors: 544 }, { value: "/docs/getting-started", views: 488, visitors: 301 },
  { value: "/about", views: 214, visitors: 187 }, { value: "/careers", views: 96, visitors: 90 },
  { value: "/blog/a-very-long-article-title-that-needs-an-ellipsis-in-narrow-windows", views: 64, visitors: 58 },
];
export const referrers = [
  { value: "news.ycombinator.com", views: 1204 }, { value: "google.com", views: 987 }, { value: "(direct)", views: 640 },
  { value: "twitter.com", views: 301 }, { value: "github.com", views: 188 }, { value: "duckduckgo.com", views: 75 },
];
const spark = (phase) => Array.from({ length: 24 }, (_, i) => 20 + 10 * Math.sin((i + phase) / 3) + (i % 5));
export const tiles = [
  { key: "visitors", label: "Unique visitors", value: 3412, previous: 2980, spark: spark(0) },
  { key: "views", label: "Page views", value: 5210, previous: 5633, spark: spark(2) },
  { key: "per-visit", label: "Views per visit", value: 1.53, previous: 1.49, spark: spark(4) },
  { key: "bounce", label: "Bounce rate", value: 0.412, previous: 0.455, format: "percent", better: "down", spark: spark(6) },
  { key: "engaged", label: "Median engaged", value: 74, previous: 81, format: "duration", spark: spark(8) },
];

for (const section of document.querySelectorAll(".theme")) {
  const theme = section.dataset.themeName;
  section.append(document.querySelector("#column").content.cloneNode(true));
  section.querySelector(".column-title").textContent = `${theme} theme`;
  for (const element of section.querySelectorAll("*")) {
    if (element.localName.startsWith("tessera-")) element.setAttribute("theme", theme);
  }
  const $ = (selector) => section.querySelector(selector);
  const fresh = new Date(now - 20_000).toISOString();
  $(".kpis").rows = tiles;
  $(".kpis").watermark = fresh;
  $(".series").series = [{ key: "views", label: "views / min", style: "bars" }, { key: "visitors", label: "visitors / min" }];
  $(".series").rows = points;
  $(".pages").rows = pages;
  $(".pages").selected = "/pricing";
  $(".pages").extraPayload = { site: "demo.local" };
  $(".referrers").rows = referrers;
  $(".s-empty").rows = [];
  $(".s-error").error = "the data API answered HTTP 503 (OLAP unavailable)";
  $(".s-error").rows = [];
  $(".s-stale").rows = referrers.slice(0, 3);
  $(".s-stale").watermark = new Date(now - 17 * MINUTE).toISOString();
}
window.galleryReady = true;
