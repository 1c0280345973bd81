// The widget's own CSS; colours come from the kit's custom properties (--kit-*), which
// follow the shell's theme tokens.

export const widgetCss = `
:host { display: block; position: relative; height: 100%; min-height: 120px; }
.pv { display: flex; flex-direction: column; height: 100%; padding: 10px 12px 6px; gap: 6px; }
.head { display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 8px 16px; }
.title { min-width: 0; }
.site { font-weight: 600; font-size: 14px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.range { color: var(--kit-fg-2); font-size: 12px; }
.range.filtered { color: var(--kit-accent); }
.totals { display: flex; gap: 20px; }
.total { display: flex; flex-direction: column; align-items: flex-end; line-height: 1.15; }
.total .unit { color: var(--kit-fg-2); font-size: 11px; text-transform: uppercase; letter-spacing: .05em; }
.total .n { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.total.views .n { color: var(--kit-series-1); }
.total.visitors .n { color: var(--kit-series-2); }
tessera-time-series { flex: 1 1 auto; min-height: 56px; height: auto; }
.status { min-height: 1.4em; color: var(--kit-fg-3); font-size: 11.5px; text-align: right; }
.status.warning { color: var(--kit-warn); }
`;
