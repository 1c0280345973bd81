// The layout the editor's page carries (`#tessera-layout-seed`, see dashboard/layout_seed.py):
// `/` carries the first-run default, `/l/{id}` that layout's latest version, each as
// `GET /api/v1/layouts/{id}` answers it. It is used at most once, for the first open, and only
// when it fits: a seed that does not parse, names another layout, or lacks a version or a
// layout is dropped and the shell asks the API, as it would without one.

const SEED_ID = "tessera-layout-seed";
const ID = /^[A-Za-z0-9_-]{1,128}$/;
export const DEFAULT_OWNER = "Tessera";
export const DEFAULT_TITLE = "Web analytics";

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** `{default, answer}` if `seed` is a usable seed, else null. */
export function checkSeed(seed) {
  if (!isObject(seed) || typeof seed.default !== "boolean") return null;
  const answer = seed.layout;
  if (!isObject(answer) || typeof answer.id !== "string" || !ID.test(answer.id)) return null;
  if (!Number.isInteger(answer.version) || answer.version < 1 || typeof answer.title !== "string") return null;
  if (!isObject(answer.layout) || !isObject(answer.layout.root)) return null;
  if (seed.default && (answer.owner !== DEFAULT_OWNER || answer.title !== DEFAULT_TITLE)) return null;
  return { default: seed.default, answer };
}

/** The page's seed, checked, or null. */
export function readSeed(doc = globalThis.document) {
  const element = doc?.getElementById?.(SEED_ID);
  if (!element) return null;
  try {
    return checkSeed(JSON.parse(element.textContent));
  } catch {
    return null;
  }
}

/** Hands out the seed once: the default's id, then its answer for that id (a later open asks the API). */
export class LayoutSeed {
  #seed;

  constructor(seed = readSeed()) {
    this.#seed = seed;
  }

  /** The first-run default's id, if the page carried it. */
  get defaultId() {
    return this.#seed?.default ? this.#seed.answer.id : null;
  }

  /** The seeded answer for `id`'s latest version, once; null otherwise (and the seed is spent). */
  take(id, version = null) {
    const seed = this.#seed;
    this.#seed = null;
    return seed && version === null && seed.answer.id === id ? seed.answer : null;
  }
}
