// Topic names and compatibility (no DOM). A topic is a dotted name with an optional major
// version: `page.selected`, `page.selected@2`. No version means major 1, so
// `page.selected` and `page.selected@1` are the same topic and `@2` is another one.

const NAME = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*){0,7}$/;

/** {name, major} or null when `topic` is not a topic name. */
export function parseTopic(topic) {
  if (typeof topic !== "string" || topic.length > 128) return null;
  const [name, version, ...rest] = topic.split("@");
  if (rest.length || !NAME.test(name)) return null;
  if (version === undefined) return { name, major: 1 };
  if (!/^[1-9][0-9]{0,3}$/.test(version)) return null;
  return { name, major: Number(version) };
}

/** The canonical key of a topic (`name@major`), or null. */
export function topicKey(topic) {
  const parsed = parseTopic(topic);
  return parsed ? `${parsed.name}@${parsed.major}` : null;
}

/** Do two declared topics name the same topic (same name, same major)? */
export function sameTopic(a, b) {
  const key = topicKey(a);
  return key !== null && key === topicKey(b);
}

export const isPath = (path) => typeof path === "string" && PATH.test(path);

/** The value at a dotted `path` of `value` (undefined if absent). */
export function getPath(value, path) {
  let here = value;
  for (const part of path.split(".")) {
    if (here === null || typeof here !== "object" || !Object.hasOwn(here, part)) return undefined;
    here = here[part];
  }
  return here;
}

/** A copy of `target` with `value` set at dotted `path` (objects created on the way). */
export function setPath(target, path, value) {
  const parts = path.split(".");
  const root = { ...(target ?? {}) };
  let here = root;
  for (const part of parts.slice(0, -1)) {
    here[part] = here[part] && typeof here[part] === "object" && !Array.isArray(here[part]) ? { ...here[part] } : {};
    here = here[part];
  }
  here[parts.at(-1)] = value;
  return root;
}

/** The sub-schema a dotted path points at in an object schema (undefined if it names no property). */
export function schemaAt(schema, path) {
  let here = schema;
  for (const part of path.split(".")) {
    if (!here || typeof here !== "object") return undefined;
    if (here.properties && Object.hasOwn(here.properties, part)) here = here.properties[part];
    else if (here.additionalProperties && typeof here.additionalProperties === "object") here = here.additionalProperties;
    else if (here.additionalProperties === undefined && !here.properties) here = true;
    else return undefined;
  }
  return here;
}

function types(schema) {
  if (schema === true || !schema || schema.type === undefined) return null; // anything
  const set = new Set([schema.type].flat());
  if (set.has("number")) set.add("integer");
  return set;
}

/**
 * Why a wire from topic `from` (schema `fromSchema`) to topic `to` (schema `toSchema`) with
 * field `map` ([{from, to}]) cannot work, or null when it can. Without a map, the topics
 * must be the same (name and major). With one, each source field must exist, each target
 * field must exist, their types must overlap, and every required top-level field of the
 * target must be filled.
 */
export function wireProblem({ from, fromSchema, to, toSchema, map = [] }) {
  if (!parseTopic(from)) return `"${from}" is not a topic name`;
  if (!parseTopic(to)) return `"${to}" is not a topic name`;
  if (!map.length) {
    if (sameTopic(from, to)) return null;
    const [a, b] = [parseTopic(from), parseTopic(to)];
    if (a.name === b.name) return `${from} and ${to} are different major versions`;
    return `${from} and ${to} are different topics; map their fields`;
  }
  const filled = new Set();
  for (const { from: source, to: target } of map) {
    if (!isPath(source) || !isPath(target)) return `"${source}" → "${target}" is not a field mapping`;
    const a = schemaAt(fromSchema ?? true, source);
    if (a === undefined) return `${from} has no field "${source}"`;
    const b = schemaAt(toSchema ?? true, target);
    if (b === undefined) return `${to} has no field "${target}"`;
    const [ta, tb] = [types(a), types(b)];
    if (ta && tb && ![...ta].some((t) => tb.has(t))) return `"${source}" (${[...ta].join("/")}) cannot fill "${target}" (${[...tb].join("/")})`;
    filled.add(target.split(".")[0]);
  }
  const missing = (toSchema?.required ?? []).filter((name) => !filled.has(name));
  if (missing.length) return `${to} requires ${missing.join(", ")}, which the mapping does not fill`;
  return null;
}

/** The payload a mapped wire delivers: each target field from its source field. */
export function mapPayload(payload, map) {
  if (!map?.length) return payload;
  let out = {};
  for (const { from, to } of map) {
    const value = getPath(payload, from);
    if (value !== undefined) out = setPath(out, to, value);
  }
  return out;
}
