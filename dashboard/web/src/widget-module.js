// Loading a widget's ES module and reading its manifest's configuration.

export class TimeoutError extends Error {
  constructor(what, ms) {
    super(`${what} timed out after ${Math.round(ms / 1000)} s`);
    this.name = "TimeoutError";
  }
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * import() a same-origin module URL. A retry after a failure adds `?attempt=N` so the
 * browser fetches again instead of replaying a failed module record.
 */
export function importModule(url, attempt = 0) {
  const target = new URL(url, location.origin);
  if (target.origin !== location.origin) {
    return Promise.reject(new Error(`refusing to load a module from another origin (${target.origin})`));
  }
  if (attempt > 0) target.searchParams.set("attempt", String(attempt));
  return import(/* @vite-ignore */ target.href);
}

/**
 * The URL to import a catalogue entry's module from: under its announced integrity
 * (`?v=<integrity>`), which the dashboard serves as immutable once the bytes match it, so a
 * browser keeps the module until the widget team ships a new build. No integrity: as announced.
 */
export function moduleUrl(entry) {
  if (!entry?.integrity) return entry?.module ?? "";
  const url = new URL(entry.module, location.origin);
  url.searchParams.set("v", entry.integrity);
  return url.origin === location.origin ? `${url.pathname}${url.search}` : url.href;
}

/** The `default` of every property in an attributes JSON Schema, as attribute strings. */
export function defaultAttributes(schema) {
  const defaults = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    if (property && "default" in property && property.default !== null) {
      const value = property.default;
      defaults[name] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
  }
  return defaults;
}

const ATTRIBUTE_NAME = /^[a-z][a-z0-9_.-]*$/;

/** Only plain attribute names may be set (never `on*` handlers or names with odd characters). */
export function isSafeAttribute(name) {
  return ATTRIBUTE_NAME.test(name) && !name.startsWith("on");
}

/**
 * Browsers say only "Failed to fetch dynamically imported module"; ask the gateway what
 * went wrong (status and its JSON `detail`) so the error card can say it plainly.
 */
export async function explainImportFailure(url, error) {
  if (error?.name === "TimeoutError") return error.message;
  try {
    const response = await withTimeout(fetch(url, { cache: "no-store" }), 5000, "Checking the module");
    if (response.ok) return `its module failed to run: ${error.message}`;
    const body = await response.json().catch(() => null);
    const detail = body && typeof body.detail === "string" ? `: ${body.detail}` : "";
    return `its module could not be loaded (HTTP ${response.status}${detail})`;
  } catch {
    return `its module could not be loaded (${error.message})`;
  }
}
