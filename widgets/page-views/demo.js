// Standalone test page driver: optional generated data, live attribute controls, event log.
import "./dist/page-views.js";

const DEMO_API = "demo://metrics";
const realFetch = window.fetch.bind(window);

// Generated traffic for the "demo data" mode: a smooth wave with noise, per minute.
window.fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  if (!url.startsWith(DEMO_API)) return realFetch(input, init);
  const params = new URL(url.replace("demo://", "http://demo/")).searchParams;
  const from = Date.parse(params.get("from"));
  const to = Date.parse(params.get("to"));
  const points = [];
  for (let t = from; t <= to; t += 60_000) {
    const views = Math.max(0, Math.round(40 + 25 * Math.sin(t / 600_000) + Math.random() * 12));
    points.push({ t: new Date(t).toISOString(), views, visitors: Math.round(views * 0.45) });
  }
  const watermark = new Date(to - 5000).toISOString();
  const body = url.includes("/visitors?")
    ? { site: params.get("site"), watermark, views: points.reduce((n, p) => n + p.views, 0),
        visitors: Math.round(points.reduce((n, p) => n + p.visitors, 0) * 0.6) }
    : { site: params.get("site"), interval: "1m", from: params.get("from"), to: params.get("to"), watermark, points };
  return Promise.resolve(new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } }));
};

const widget = document.querySelector("#widget");
const form = document.querySelector("#controls");
const log = document.querySelector("#events");

function apply() {
  widget.site = form.site.value || "demo.local";
  widget.rangeMinutes = form.range.value || 30;
  widget.dataApi = form.demo.checked ? DEMO_API : form.api.value;
  widget.theme = form.light.checked ? "light" : "dark";
  document.body.classList.toggle("light", form.light.checked);
}

form.addEventListener("change", apply);
widget.addEventListener("page-views-bucket-selected", (event) => {
  log.textContent = `page-views-bucket-selected ${JSON.stringify(event.detail)}\n${log.textContent}`;
});
apply();
