// The widget's own CSS (uPlot's CSS is added next to it in the shadow root).

export const PALETTES = {
  dark: { text: "#d8d9da", muted: "#8e9297", grid: "rgba(204, 204, 220, 0.08)", views: "#5794f2", visitors: "#73bf69" },
  light: { text: "#24292f", muted: "#5f6873", grid: "rgba(36, 41, 47, 0.09)", views: "#1f60c4", visitors: "#37872d" },
};

export const widgetCss = `
:host { display: block; position: relative; height: 100%; min-height: 160px; box-sizing: border-box;
  font: 13px/1.4 Inter, "Segoe UI", system-ui, -apple-system, sans-serif; color: var(--pv-text);
  --pv-text: ${PALETTES.dark.text}; --pv-muted: ${PALETTES.dark.muted}; --pv-views: ${PALETTES.dark.views};
  --pv-visitors: ${PALETTES.dark.visitors}; --pv-warn: #f2cc0c; --pv-error: #f2495c; }
:host([theme="light"]) { --pv-text: ${PALETTES.light.text}; --pv-muted: ${PALETTES.light.muted};
  --pv-views: ${PALETTES.light.views}; --pv-visitors: ${PALETTES.light.visitors}; --pv-warn: #8a6d00; --pv-error: #c4162a; }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.pv { display: flex; flex-direction: column; height: 100%; padding: 10px 12px 8px; gap: 6px; }
.head { display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 8px 16px; }
.title { min-width: 0; }
.site { font-weight: 600; font-size: 14px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.range { color: var(--pv-muted); font-size: 12px; }
.totals { display: flex; gap: 20px; }
.total { display: flex; flex-direction: column; align-items: flex-end; line-height: 1.15; }
.total .unit { color: var(--pv-muted); font-size: 11px; text-transform: uppercase; letter-spacing: .05em; }
.total .n { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.total.views .n { color: var(--pv-views); }
.total.visitors .n { color: var(--pv-visitors); }
.plot { position: relative; flex: 1 1 auto; min-height: 80px; overflow: hidden; cursor: crosshair; }
.foot { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 4px 12px; color: var(--pv-muted); font-size: 11.5px; }
.legend { display: flex; gap: 12px; }
.key::before { content: ""; display: inline-block; width: 10px; height: 3px; border-radius: 2px; margin-right: 5px; vertical-align: middle; background: currentColor; }
.key.views::before { background: var(--pv-views); height: 9px; width: 9px; opacity: .75; }
.key.visitors::before { background: var(--pv-visitors); }
.readout { font-variant-numeric: tabular-nums; }
.warning { color: var(--pv-warn); }
.overlay { position: absolute; inset: 0; display: grid; place-items: center; text-align: center; padding: 16px; pointer-events: none; }
.overlay[hidden] { display: none; }
.overlay .message { max-width: 28em; color: var(--pv-muted); }
.overlay.error .message { color: var(--pv-error); }
.overlay strong { display: block; color: var(--pv-text); font-size: 14px; margin-bottom: 2px; }
.u-over { cursor: pointer; }
.u-legend { display: none; }
`;
