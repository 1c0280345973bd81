// Pure row helpers for the table and the bar list: sorting, keyboard moves, topic payloads.

/** Rows sorted by `key` ("asc" | "desc"), numbers numerically, text by locale; stable; nulls last. */
export function sortRows(rows, key, direction = "desc") {
  if (!key) return [...rows];
  const sign = direction === "asc" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const x = a.row?.[key];
      const y = b.row?.[key];
      const xMissing = x === null || x === undefined || x === "";
      const yMissing = y === null || y === undefined || y === "";
      if (xMissing || yMissing) return xMissing === yMissing ? a.index - b.index : xMissing ? 1 : -1;
      const order = typeof x === "number" && typeof y === "number"
        ? x - y
        : String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: "base" });
      return order === 0 ? a.index - b.index : sign * order;
    })
    .map((entry) => entry.row);
}

/** Parse a `sort` attribute: "views" | "views:asc" | "-views" → {key, direction}. */
export function parseSort(text, fallbackKey = "") {
  const value = String(text ?? "").trim();
  if (!value) return { key: fallbackKey, direction: "desc" };
  if (value.startsWith("-")) return { key: value.slice(1), direction: "desc" };
  const [key, direction] = value.split(":");
  return { key, direction: direction === "asc" ? "asc" : "desc" };
}

export function formatSort({ key, direction }) {
  return `${key}:${direction === "asc" ? "asc" : "desc"}`;
}

/** Next sort when a column header is pressed: a new column starts descending, the same one flips. */
export function toggleSort(current, key) {
  if (current.key !== key) return { key, direction: "desc" };
  return { key, direction: current.direction === "desc" ? "asc" : "desc" };
}

/** Where the focus goes on a key press in a list of `count` rows (null: the key is not ours). */
export function nextIndex(key, index, count, page = 10) {
  if (count <= 0) return null;
  const last = count - 1;
  const from = index === null || index === undefined || index < 0 ? -1 : Math.min(index, last);
  switch (key) {
    case "ArrowDown": return Math.min(last, from + 1);
    case "ArrowUp": return from <= 0 ? 0 : from - 1;
    case "Home": return 0;
    case "End": return last;
    case "PageDown": return Math.min(last, Math.max(0, from) + page);
    case "PageUp": return Math.max(0, from - page);
    default: return null;
  }
}

/**
 * The payload a selection publishes: `{[field]: row[key]}` plus any fixed `extra` fields
 * (e.g. the site). `page.selected` with field "path" and key "value" gives {path: row.value}.
 */
export function payloadFor(row, { key = "value", field = "value", extra = {} } = {}) {
  return { ...extra, [field || key]: row?.[key] ?? null };
}

/** Rows as given: an array, or the `rows` / `items` / `points` of a query answer. */
export function rowsOf(body) {
  if (Array.isArray(body)) return body;
  for (const name of ["rows", "items", "points"]) if (Array.isArray(body?.[name])) return body[name];
  return [];
}
