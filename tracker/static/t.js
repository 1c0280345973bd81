/* Tessera tracking snippet: <script defer src="https://collector/t.js" data-site="example.com"></script>
   Page views (also SPA navigations via history.pushState/popstate) and engaged time, no cookies. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var site = script.getAttribute("data-site") || location.hostname;
  var api = script.getAttribute("data-api") || new URL(script.src).origin;
  var endpoint = api + "/api/v1/events";
  var lastUrl = null, shownAt = Date.now(), engagedMs = 0, visible = !document.hidden;

  function send(name, props, beacon) {
    var body = JSON.stringify([{ site: site, name: name, url: location.href, referrer: document.referrer,
      title: document.title, ts: Date.now(), props: props || {} }]);
    if (beacon && navigator.sendBeacon) {
      navigator.sendBeacon(endpoint, new Blob([body], { type: "text/plain" }));
      return;
    }
    try {
      fetch(endpoint, { method: "POST", body: body, keepalive: true, headers: { "content-type": "text/plain" } });
    } catch (e) { /* never break the page */ }
  }

  function pageview() {
    if (location.href === lastUrl) return;
    flushEngaged();
    lastUrl = location.href;
    send("pageview");
  }

  function flushEngaged() {
    if (visible) { engagedMs += Date.now() - shownAt; shownAt = Date.now(); }
    if (lastUrl !== null && engagedMs >= 1000) {
      send("engagement", { engaged_ms: String(engagedMs) }, true);
    }
    engagedMs = 0;
  }

  var push = history.pushState;
  history.pushState = function () { push.apply(this, arguments); pageview(); };
  window.addEventListener("popstate", pageview);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { flushEngaged(); visible = false; }
    else { visible = true; shownAt = Date.now(); }
  });
  window.addEventListener("pagehide", flushEngaged);
  window.tessera = function (name, props) { send(name, props); };
  pageview();
})();
