// The built-in widgets' frame: a compact header over one kit element; colours from --kit-*.
export const frameCss = `
:host { display: block; position: relative; height: 100%; min-height: 96px; }
/* in a window the window sets the height (a short one scrolls the body); on a page of its own, room for a few rows */
:host([standalone]) { min-height: 140px; }
.frame { display: flex; flex-direction: column; height: 100%; padding: 8px 12px 8px; gap: 6px; box-sizing: border-box; }
.head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 6px 12px; }
.titles { min-width: 0; }
/* the window header already names the widget: the title shows only on a page of its own (standalone) */
.title { display: none; margin: 0; font-size: 13.5px; font-weight: 600; letter-spacing: .01em; }
:host([standalone]) .title { display: block; }
.sub { color: var(--kit-fg-3); font-size: 11.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.sub.filtered { color: var(--kit-accent); }
.tabs { display: flex; gap: 2px; padding: 2px; border-radius: 6px; background: var(--kit-bg-2); }
.tabs[hidden] { display: none; }
.tabs button { all: unset; cursor: pointer; padding: 3px 9px; border-radius: 4px; font-size: 12px; color: var(--kit-fg-2); }
.tabs button[aria-selected="true"] { background: var(--kit-bg); color: var(--kit-fg); box-shadow: 0 0 0 1px var(--kit-border); }
.tabs button:focus-visible { outline: 2px solid var(--kit-focus); }
.body { position: relative; flex: 1 1 auto; min-height: 0; }
.body > * { position: absolute; inset: 0; }
`;
