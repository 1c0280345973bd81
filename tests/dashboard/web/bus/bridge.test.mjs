// The bus across browser windows (BroadcastChannel, as in the browser) and popped-out
// windows folded back into the saved layout.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BusBridge } from "../../../../dashboard/web/src/bus/bridge.js";
import { ShellBus } from "../../../../dashboard/web/src/bus/shell-bus.js";
import { foldPopouts } from "../../../../dashboard/web/src/layouts/document.js";

const until = async (check, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

test("a popout gets the main window's wiring and current values, then live messages both ways", async () => {
  const main = new ShellBus({ wiring: { channels: { chart: "red", table: "red" } } });
  const got = { chart: [], side: [] };
  main.join("table", { widgetId: "t", emits: { "site.selected": true }, accepts: {}, deliver: () => {}, report: () => {} });
  main.join("side", { widgetId: "s", emits: {}, accepts: { "site.selected": true }, deliver: (m) => got.side.push(m), report: () => {} });
  main.publish("table", "site.selected", { site: "before" });
  const mainBridge = new BusBridge(main, "test-session", { role: "main" });
  let changed = 0;
  mainBridge.onChanged = () => { changed += 1; };

  const popout = new ShellBus();
  const popoutBridge = new BusBridge(popout, "test-session", { role: "popout" });
  popout.join("chart", { widgetId: "c", emits: { "page.selected": true }, accepts: { "site.selected": true },
    deliver: (m) => got.chart.push(m), report: () => {} });
  await until(() => got.chart.length === 1);
  assert.deepEqual(got.chart[0].payload, { site: "before" }); // replayed at once (red channel)
  assert.equal(popout.channelOf("chart"), "red");

  main.publish("table", "site.selected", { site: "after" });
  await until(() => got.chart.length === 2);
  assert.deepEqual(got.chart[1].payload, { site: "after" });
  assert.equal(got.side.length, 0); // "side" is on blue

  // what a popout's widget sends reaches the main window's windows and is announced there (for the live relay)
  const remote = [];
  main.addEventListener("remote-message", (event) => remote.push(event.detail));
  main.join("listener", { widgetId: "l", emits: {}, accepts: { "page.selected": true }, deliver: (m) => got.side.push(m), report: () => {} });
  main.setChannel("listener", "red");
  popout.publish("chart", "page.selected", { page: "/pricing" });
  await until(() => remote.length === 1 && got.side.length === 1);
  assert.deepEqual(got.side[0].payload, { page: "/pricing" });

  // a channel change made in the popout reaches the main window's wiring (and marks it changed there)
  popout.setChannel("chart", "green");
  await until(() => main.channelOf("chart") === "green");
  popoutBridge.changed();
  await until(() => changed === 1);
  mainBridge.close();
  popoutBridge.close();
});

test("popped-out windows are folded back into the layout that is saved; openPopouts never is", () => {
  const component = (id) => ({ type: "component", componentType: "tessera-widget", componentState: { windowId: id } });
  const config = { root: { type: "row", content: [component("a")] }, openPopouts: [{ root: component("b"), window: {} }] };
  const folded = foldPopouts(config);
  assert.equal("openPopouts" in folded, false);
  assert.deepEqual(folded.root.content.map((c) => c.componentState.windowId), ["a", "b"]);
  assert.deepEqual(foldPopouts({ root: null, openPopouts: [{ root: component("b") }] }).root.content.length, 1);
  assert.deepEqual(foldPopouts({ root: component("a"), openPopouts: [] }), { root: component("a") });
});
