// The kit's colours: CSS custom properties read from the shell's tokens (`--text`, `--panel`,
// … set on :root for <html data-theme>), with dark fallbacks, and light ones when the element
// carries theme="light" (or <html data-theme="light">). Charts redraw when either changes.

const dark = `
  --kit-fg: var(--text, #ccccdc);
  --kit-fg-2: var(--text-2, rgba(204, 204, 220, 0.68));
  --kit-fg-3: var(--text-3, rgba(204, 204, 220, 0.48));
  --kit-bg: var(--panel, #181b1f);
  --kit-bg-2: var(--panel-2, #22252b);
  --kit-border: var(--border, #2c3235);
  --kit-accent: var(--accent, #3d71d9);
  --kit-accent-soft: var(--accent-soft, rgba(61, 113, 217, 0.25));
  --kit-focus: var(--focus, #6e9fff);
  --kit-good: var(--success-text, #73bf69);
  --kit-bad: var(--danger-text, #f2495c);
  --kit-warn: var(--warning, #f2cc0c);
  --kit-warn-fg: var(--warning-text, #1a1a1a);
  --kit-grid: var(--grid, rgba(204, 204, 220, 0.08));
  --kit-series-1: var(--series-1, #5794f2);
  --kit-series-2: var(--series-2, #73bf69);
  --kit-series-3: var(--series-3, #ff9830);
  --kit-series-4: var(--series-4, #b877d9);
  --kit-bar: var(--bar, rgba(87, 148, 242, 0.22));`;

const light = `
  --kit-fg: var(--text, #24292e);
  --kit-fg-2: var(--text-2, rgba(36, 41, 46, 0.75));
  --kit-fg-3: var(--text-3, rgba(36, 41, 46, 0.55));
  --kit-bg: var(--panel, #ffffff);
  --kit-bg-2: var(--panel-2, #f7f8fa);
  --kit-border: var(--border, #dcdee1);
  --kit-accent: var(--accent, #3d71d9);
  --kit-accent-soft: var(--accent-soft, rgba(61, 113, 217, 0.2));
  --kit-focus: var(--focus, #1f60c4);
  --kit-good: var(--success-text, #1a7f37);
  --kit-bad: var(--danger-text, #c4162a);
  --kit-warn: var(--warning, #f2cc0c);
  --kit-warn-fg: var(--warning-text, #1a1a1a);
  --kit-grid: var(--grid, rgba(36, 41, 46, 0.09));
  --kit-series-1: var(--series-1, #1f60c4);
  --kit-series-2: var(--series-2, #37872d);
  --kit-series-3: var(--series-3, #c15c17);
  --kit-series-4: var(--series-4, #8f3bb8);
  --kit-bar: var(--bar, rgba(31, 96, 196, 0.14));`;

// Dark by default; light under <html data-theme="light"> (where :host-context is supported)
// or theme="light"; an explicit theme="dark" wins over the page's.
export const themeCss = `
:host { --kit-font: var(--font, Inter, "Segoe UI", system-ui, -apple-system, sans-serif); ${dark}
  font: 13px/1.4 var(--kit-font); color: var(--kit-fg); }
:host-context([data-theme="light"]) { ${light} }
:host([theme="light"]) { ${light} }
:host([theme="dark"]) { ${dark} }
:host([hidden]) { display: none !important; }
* { box-sizing: border-box; }
`;

const sheets = new Map();

/** One constructed stylesheet per CSS text, shared by every instance. */
export function sheetFor(css) {
  if (!sheets.has(css)) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    sheets.set(css, sheet);
  }
  return sheets.get(css);
}

const watchers = new Set();
let observer = null;

/** Call `callback` whenever <html data-theme> changes, until `signal` aborts. */
export function watchDocumentTheme(callback, signal) {
  watchers.add(callback);
  if (!observer && typeof MutationObserver === "function") {
    observer = new MutationObserver(() => watchers.forEach((fn) => fn()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  }
  signal.addEventListener("abort", () => {
    watchers.delete(callback);
    if (watchers.size === 0) {
      observer?.disconnect();
      observer = null;
    }
  }, { once: true });
}

/** A custom property's computed value on `element` (for canvas drawing). */
export function cssValue(element, name, fallback = "") {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}
