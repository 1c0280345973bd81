// The server's structural diff (dashboard/layouts/diff.py) as lines a person reads (no DOM):
// [{kind: "added"|"removed"|"moved"|"changed"|"field"|"wiring"|"view"|"settings", text}].
// What golden-layout only made explicit is not a change a person made, so it is left out:
// a window wrapped in its own stack, a size or setting that had no value before.

export function summarize(diff, titles = new Map()) {
  if (!diff || diff.identical) return [];
  const lines = [];
  const name = (w) => `“${w.title || w.widgetId || w.windowId}”`;
  const windowNames = new Map([...titles].map(([id, title]) => [id, `“${title}”`]));
  for (const w of [...(diff.windows?.added ?? []), ...(diff.windows?.removed ?? [])]) windowNames.set(w.windowId, name(w));
  const known = (id) => windowNames.get(id) ?? `window ${id}`;
  for (const field of diff.fields ?? []) {
    lines.push({ kind: "field", text: `${capital(field.field)}: ${show(field.from)} → ${show(field.to)}` });
  }
  for (const w of diff.windows?.added ?? []) {
    lines.push({ kind: "added", text: `Added ${name(w)} (${w.widgetId}${w.version ? ` ${w.version}` : ""})` });
  }
  for (const w of diff.windows?.removed ?? []) lines.push({ kind: "removed", text: `Removed ${name(w)}` });
  for (const w of diff.windows?.moved ?? []) {
    if (w.to === `${w.from}/stack[0]` || w.from === `${w.to}/stack[0]`) continue; // wrapped in (or out of) its own stack
    lines.push({ kind: "moved", text: `Moved ${known(w.windowId)} from ${w.from} to ${w.to}` });
  }
  for (const w of diff.windows?.changed ?? []) {
    for (const field of w.fields ?? []) {
      lines.push({ kind: "changed", text: `${known(w.windowId)}: ${field.field} ${show(field.from)} → ${show(field.to)}` });
    }
    for (const change of w.attributes ?? []) {
      lines.push({ kind: "changed", text: `${known(w.windowId)}: ${change.path} ${show(change.from)} → ${show(change.to)}` });
    }
    if (w.size && w.size.from !== undefined && w.size.from !== null) lines.push({ kind: "changed", text: `${known(w.windowId)}: resized ${show(w.size.from)} → ${show(w.size.to)}` });
  }
  if (diff.wiring?.changed) lines.push({ kind: "wiring", text: `Wiring: ${count(diff.wiring.changes)} changed` });
  if (diff.viewState?.changed) lines.push({ kind: "view", text: `View state: ${count(diff.viewState.changes)} changed` });
  const settings = (diff.layoutSettings ?? []).filter((c) => c.change !== "added");
  if (settings.length) lines.push({ kind: "settings", text: `Layout settings: ${settings.map((c) => c.path).slice(0, 3).join(", ")}${settings.length > 3 ? ` and ${settings.length - 3} more` : ""} changed` });
  return lines;
}

function count(changes) {
  const n = changes?.length ?? 0;
  return `${n} value${n === 1 ? "" : "s"}`;
}

function capital(text) {
  return String(text).charAt(0).toUpperCase() + String(text).slice(1);
}

function show(value) {
  if (value === undefined || value === null || value === "") return "—";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** "3 min ago", "yesterday", or a date: how the history names a time. */
export function ago(iso, now = Date.now()) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return "yesterday";
  if (days < 30) return `${days} days ago`;
  return new Date(then).toISOString().slice(0, 10);
}
