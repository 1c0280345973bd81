// The stylesheet every layouts element adopts: buttons, fields, dialogs, lists, states.
// Colours come from the shell's tokens (tokens.css), so both themes work.

const css = `
:host { font: 13px/1.45 var(--font, system-ui); color: var(--text, #ccccdc); }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
button, .button { font: 500 12.5px/1 var(--font, system-ui); height: 30px; padding: 0 12px; border-radius: 4px; cursor: pointer;
  display: inline-flex; align-items: center; gap: 6px; text-decoration: none; white-space: nowrap;
  color: var(--text, #ccccdc); background: var(--panel-2, #22252b); border: 1px solid var(--border, #2c3235); }
button:hover:not(:disabled), .button:hover { border-color: var(--border-strong, #464c54); }
button:disabled { opacity: .5; cursor: default; }
button.primary { color: #fff; background: var(--accent, #3d71d9); border-color: transparent; font-weight: 600; }
button.primary:hover:not(:disabled) { filter: brightness(1.1); }
button.danger { color: var(--danger, #d44a3a); }
button.link { background: none; border: none; padding: 0 4px; color: var(--accent, #3d71d9); height: auto; }
button:focus-visible, .button:focus-visible, input:focus-visible, select:focus-visible, a:focus-visible, summary:focus-visible {
  outline: 2px solid var(--focus, #6e9fff); outline-offset: 2px; }
input, select, textarea { font: inherit; color: var(--text, #ccccdc); background: var(--input, #111217);
  border: 1px solid var(--border, #2c3235); border-radius: 4px; padding: 6px 9px; }
input:focus, select:focus, textarea:focus { border-color: var(--accent, #3d71d9); outline: none;
  box-shadow: 0 0 0 2px var(--accent-soft, rgba(61,113,217,.25)); }
label { display: grid; gap: 4px; font-size: 12px; color: var(--text-2, #8e8e8e); }
dialog { color: var(--text, #ccccdc); background: var(--panel, #181b1f); border: 1px solid var(--border-strong, #464c54);
  border-radius: 8px; padding: 0; box-shadow: 0 16px 48px rgba(0,0,0,.45); max-height: calc(100vh - 48px); }
dialog::backdrop { background: rgba(0, 0, 0, .45); }
dialog > form, dialog > .sheet { display: flex; flex-direction: column; max-height: calc(100vh - 50px); }
dialog header { display: flex; align-items: center; gap: 10px; padding: 14px 18px 10px; border-bottom: 1px solid var(--border, #2c3235); }
dialog h2 { margin: 0; font-size: 15px; font-weight: 600; flex: 1 1 auto; }
dialog .body { padding: 14px 18px; overflow: auto; min-height: 0; flex: 1 1 auto; }
dialog footer { display: flex; justify-content: flex-end; flex-wrap: wrap; gap: 8px; padding: 12px 18px;
  border-top: 1px solid var(--border, #2c3235); }
.close { width: 30px; padding: 0; justify-content: center; font-size: 16px; }
.muted { color: var(--text-2, #8e8e8e); }
.faint { color: var(--text-3, #6e6e6e); font-size: 12px; }
.state { padding: 18px; text-align: center; color: var(--text-2, #8e8e8e); border: 1px dashed var(--border, #2c3235); border-radius: 6px; }
.state.error { color: var(--text, #ccccdc); border-style: solid; border-color: var(--danger, #d44a3a); }
.notice { padding: 8px 10px; border-radius: 4px; font-size: 12.5px; color: var(--warning-text, #1a1a1a); background: var(--warning, #f2cc0c); }
.chip { font-size: 11px; font-weight: 600; padding: 1px 7px; border-radius: 10px; letter-spacing: .02em;
  color: var(--text-2, #8e8e8e); border: 1px solid var(--border, #2c3235); white-space: nowrap; }
.chip.accent { color: var(--accent, #3d71d9); border-color: var(--accent, #3d71d9); }
.chip.warn { color: var(--warning-text, #1a1a1a); background: var(--warning, #f2cc0c); border-color: transparent; }
.chip.ok { color: var(--success-text, #73bf69); background: var(--success-soft, rgba(115,191,105,.15)); border-color: transparent; }
.chip.bad { color: #fff; background: var(--danger, #d44a3a); border-color: transparent; }
.spinner { display: inline-block; width: 14px; height: 14px; border-radius: 50%; border: 2px solid var(--border, #2c3235);
  border-top-color: var(--accent, #3d71d9); animation: spin .8s linear infinite; vertical-align: -2px; margin-right: 6px; }
@keyframes spin { to { transform: rotate(360deg); } }
ul.plain { list-style: none; margin: 0; padding: 0; }
`;

let sheet;
export function uiSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}

/** Escape text for an HTML template. */
export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Dispatch `${element}-${what}` (bubbling, composed). */
export function emit(element, what, detail = {}) {
  element.dispatchEvent(new CustomEvent(`${element.localName}-${what}`, { detail, bubbles: true, composed: true }));
}
