// The casual view (/v/{token}): a shared layout, clean and locked. A separate entry from
// the editing shell: no catalogue, no title bar, no history/share/editor code. Nothing
// moves or closes (reorderEnabled:false, non-closable, no maximise/popout, fixed
// splitters); widgets stay fully interactive. "Clone to edit" makes the visitor's own copy.
// An expired, revoked or unknown link shows a clear page.

//
// This entry is small on purpose: it asks for the shared layout and the catalogue at once,
// while the browser fetches and parses the renderer (golden-layout, the widget frame) in
// parallel (a split chunk, preloaded by view.html).

import { CatalogueFeed } from "./catalogue-feed.js";
import { problemText } from "./layouts/api-client.js";
import { applyTheme, storedTheme } from "./theme.js";

const CHECK_EVERY_MS = 60000;
const $ = (selector) => document.querySelector(selector);

export async function fetchJson(url, init) {
  const response = await fetch(url, { ...init, referrerPolicy: "no-referrer", cache: "no-store" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(problemText(body) || `HTTP ${response.status}`), { status: response.status, body });
  return body;
}

function showProblem(title, detail, retry = false) {
  $("#workspace-loading").hidden = true;
  const box = $("#workspace-problem");
  box.querySelector("h1").textContent = title;
  box.querySelector(".detail").textContent = detail;
  box.querySelector(".retry").hidden = !retry;
  box.hidden = false;
  document.title = `${title} · Tessera`;
  document.body.dataset.state = "problem";
}

function explain(error) {
  const type = error.body?.detail?.[0]?.type ?? "";
  const words = error.body?.detail?.[0]?.msg ?? error.message;
  if (error.status === 410 && type === "gone.expired") return ["This link has expired", `${capital(words)}.`];
  if (error.status === 410 && type === "gone.revoked") return ["This link was revoked", `${capital(words)}; ask the sender for a new one.`];
  if (error.status === 410) return ["This dashboard is no longer shared", `${capital(words)}.`];
  if (error.status === 404) return ["This link does not work", "No dashboard is shared under this link. Check that it was copied whole, or ask the sender for a new one."];
  if (!error.status) return ["Tessera is unreachable", "The dashboard could not be reached. Check your connection and try again.", true];
  return ["The shared dashboard could not be opened", words, true];
}

function capital(text) {
  const s = String(text ?? "");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function setUpTheme() {
  const listeners = [];
  let theme = applyTheme(storedTheme());
  const button = $("#theme-toggle");
  const show = () => {
    button.setAttribute("aria-label", theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme");
    button.title = button.getAttribute("aria-label");
    button.dataset.theme = theme;
  };
  button.addEventListener("click", () => {
    theme = applyTheme(theme === "dark" ? "light" : "dark");
    for (const listener of listeners) listener(theme);
    show();
  });
  show();
  return { current: () => theme, listen: (fn) => listeners.push(fn) };
}

/**
 * The stale state: a link to "latest" shows a button once a newer version is saved, and a
 * link that expires or is revoked while open says so (what is on screen stays).
 * Checked every minute while the page is visible, and when it comes back into view.
 */
function watchForChanges(token, shared) {
  const notice = $("#casual-notice");
  const reload = $("#casual-reload");
  reload.addEventListener("click", () => location.reload());
  const check = async () => {
    try {
      const now = await fetchJson("/api/v1/shared", { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } });
      if (now.version > shared.version) {
        notice.textContent = `Version ${now.version} was saved since you opened this`;
        notice.hidden = false;
        reload.hidden = false;
      }
    } catch (error) {
      if (error.status === 410 || error.status === 404) {
        notice.textContent = `${explain(error)[0]}: what you see may be out of date`;
        notice.hidden = false;
        reload.hidden = true;
        $("#clone-to-edit").hidden = true;
      }
    }
  };
  setInterval(() => { if (document.visibilityState === "visible") check(); }, CHECK_EVERY_MS);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") check(); });
  window.tessera.checkForUpdate = check;
}

async function start() {
  const theme = setUpTheme();
  const token = decodeURIComponent(location.pathname.split("/")[2] ?? "");
  $("#workspace-problem .retry").addEventListener("click", () => location.reload());
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(token)) {
    showProblem("This link does not work", "The link is incomplete. Check that it was copied whole.");
    return;
  }
  const catalogue = new CatalogueFeed();
  const renderer = import("./layouts/casual-view.js");
  let shared;
  try {
    const answer = fetchJson("/api/v1/shared", { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } });
    catalogue.load(); // the live feed (SSE) connects once the widgets are up, leaving connections to them
    shared = await answer;
  } catch (error) {
    const [title, detail, retry] = explain(error);
    showProblem(title, detail, retry);
    return;
  }
  const { render } = await renderer;
  render(shared, catalogue, theme);
  watchForChanges(token, shared);
}

start();
