// A small JSON Schema validator for the subset topic schemas use (no DOM, no package):
// type, enum, const, properties, required, additionalProperties, propertyNames,
// min/maxProperties, items, min/maxItems, minimum/maximum (and exclusive), min/maxLength,
// pattern, format "date-time", allOf/anyOf/oneOf/not. Annotations (title, description,
// default, examples, $schema, $id, x-*) are ignored; any other keyword ($ref, if/then…) is
// refused at compile time, so a schema is never silently half-checked.
//
// compile(schema) → validate(value) → [] when valid, else [{path, message}] (at most 10).
// Each distinct schema is compiled once (cached by its JSON text).

const ANNOTATIONS = new Set(["title", "description", "default", "examples", "$schema", "$id", "$comment",
  "deprecated", "readOnly", "writeOnly", "format", "contentMediaType"]);
const ASSERTIONS = new Set(["type", "enum", "const", "properties", "required", "additionalProperties",
  "propertyNames", "minProperties", "maxProperties", "items", "minItems", "maxItems", "minimum", "maximum",
  "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "allOf", "anyOf", "oneOf", "not"]);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const MAX_ERRORS = 10;

export class UnsupportedSchema extends Error {}

const cache = new Map();

/** The validator for `schema` (a JSON Schema object, or true/false); compiled once. */
export function compile(schema) {
  const key = JSON.stringify(schema ?? true);
  let validate = cache.get(key);
  if (!validate) {
    const check = build(schema ?? true, "#");
    validate = (value) => {
      const errors = [];
      check(value, "", errors);
      return errors;
    };
    cache.set(key, validate);
  }
  return validate;
}

function typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

const at = (path, key) => `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;

function build(schema, where) {
  if (schema === true) return () => {};
  if (schema === false) return (value, path, errors) => errors.push({ path, message: "no value is allowed here" });
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) throw new UnsupportedSchema(`${where}: not a schema`);
  for (const keyword of Object.keys(schema)) {
    if (!ASSERTIONS.has(keyword) && !ANNOTATIONS.has(keyword) && !keyword.startsWith("x-")) {
      throw new UnsupportedSchema(`${where}: the keyword "${keyword}" is not supported`);
    }
  }
  const checks = [];
  const add = (fn) => checks.push(fn);

  if (schema.type !== undefined) {
    const types = new Set([schema.type].flat());
    add((value, path, errors) => {
      const type = typeOf(value);
      if (types.has(type) || (type === "integer" && types.has("number"))) return true;
      errors.push({ path, message: `must be ${[...types].join(" or ")}, not ${type}` });
      return false;
    });
  }
  if (schema.enum !== undefined) {
    const allowed = schema.enum.map((v) => JSON.stringify(v));
    add((value, path, errors) => allowed.includes(JSON.stringify(value))
      || errors.push({ path, message: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}` }));
  }
  if (schema.const !== undefined) {
    add((value, path, errors) => sameJson(value, schema.const) || errors.push({ path, message: `must be ${JSON.stringify(schema.const)}` }));
  }
  // strings
  const { minLength, maxLength, pattern, format } = schema;
  if (minLength !== undefined || maxLength !== undefined || pattern !== undefined || format === "date-time") {
    const regex = pattern === undefined ? null : new RegExp(pattern, "u");
    add((value, path, errors) => {
      if (typeof value !== "string") return;
      const length = [...value].length;
      if (minLength !== undefined && length < minLength) errors.push({ path, message: `must be at least ${minLength} characters` });
      if (maxLength !== undefined && length > maxLength) errors.push({ path, message: `must be at most ${maxLength} characters` });
      if (regex && !regex.test(value)) errors.push({ path, message: `must match ${pattern}` });
      if (format === "date-time" && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
        errors.push({ path, message: "must be an ISO 8601 date-time with a zone" });
      }
    });
  }
  // numbers
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if ([minimum, maximum, exclusiveMinimum, exclusiveMaximum].some((v) => v !== undefined)) {
    add((value, path, errors) => {
      if (typeof value !== "number") return;
      if (!Number.isFinite(value)) errors.push({ path, message: "must be a finite number" });
      if (minimum !== undefined && value < minimum) errors.push({ path, message: `must be ≥ ${minimum}` });
      if (maximum !== undefined && value > maximum) errors.push({ path, message: `must be ≤ ${maximum}` });
      if (exclusiveMinimum !== undefined && value <= exclusiveMinimum) errors.push({ path, message: `must be > ${exclusiveMinimum}` });
      if (exclusiveMaximum !== undefined && value >= exclusiveMaximum) errors.push({ path, message: `must be < ${exclusiveMaximum}` });
    });
  }
  // objects
  const properties = Object.entries(schema.properties ?? {}).map(([name, sub]) => [name, build(sub, at(`${where}/properties`, name))]);
  const known = new Set(properties.map(([name]) => name));
  const required = schema.required ?? [];
  const extra = schema.additionalProperties === undefined ? null : build(schema.additionalProperties, `${where}/additionalProperties`);
  const names = schema.propertyNames === undefined ? null : build(schema.propertyNames, `${where}/propertyNames`);
  const { minProperties, maxProperties } = schema;
  if (properties.length || required.length || extra || names || minProperties !== undefined || maxProperties !== undefined) {
    add((value, path, errors) => {
      if (typeOf(value) !== "object") return;
      for (const name of required) {
        if (!Object.hasOwn(value, name)) errors.push({ path: at(path, name), message: "is required" });
      }
      for (const [name, check] of properties) {
        if (Object.hasOwn(value, name)) check(value[name], at(path, name), errors);
      }
      const keys = Object.keys(value);
      if (minProperties !== undefined && keys.length < minProperties) errors.push({ path, message: `needs at least ${minProperties} properties` });
      if (maxProperties !== undefined && keys.length > maxProperties) errors.push({ path, message: `allows at most ${maxProperties} properties` });
      for (const key of keys) {
        if (names) {
          const before = errors.length;
          names(key, at(path, key), errors);
          if (errors.length > before) errors.splice(before, errors.length - before, { path: at(path, key), message: "is not an allowed property name" });
        }
        if (extra && !known.has(key)) {
          const before = errors.length;
          extra(value[key], at(path, key), errors);
          if (schema.additionalProperties === false && errors.length > before) {
            errors.splice(before, errors.length - before, { path: at(path, key), message: "is not an allowed property" });
          }
        }
        if (errors.length >= MAX_ERRORS) return;
      }
    });
  }
  // arrays
  const items = schema.items === undefined ? null : build(schema.items, `${where}/items`);
  const { minItems, maxItems } = schema;
  if (items || minItems !== undefined || maxItems !== undefined) {
    add((value, path, errors) => {
      if (!Array.isArray(value)) return;
      if (minItems !== undefined && value.length < minItems) errors.push({ path, message: `needs at least ${minItems} items` });
      if (maxItems !== undefined && value.length > maxItems) errors.push({ path, message: `allows at most ${maxItems} items` });
      if (items) for (let i = 0; i < value.length && errors.length < MAX_ERRORS; i += 1) items(value[i], at(path, i), errors);
    });
  }
  // combinators
  const group = (name) => (schema[name] ?? []).map((sub, i) => build(sub, `${where}/${name}/${i}`));
  const all = group("allOf");
  const any = group("anyOf");
  const one = group("oneOf");
  const not = schema.not === undefined ? null : build(schema.not, `${where}/not`);
  const passes = (check, value, path) => {
    const scratch = [];
    check(value, path, scratch);
    return scratch.length === 0;
  };
  if (all.length) add((value, path, errors) => all.forEach((check) => check(value, path, errors)));
  if (any.length) add((value, path, errors) => any.some((check) => passes(check, value, path)) || errors.push({ path, message: "matches none of anyOf" }));
  if (one.length) {
    add((value, path, errors) => one.filter((check) => passes(check, value, path)).length === 1
      || errors.push({ path, message: "must match exactly one of oneOf" }));
  }
  if (not) add((value, path, errors) => !passes(not, value, path) || errors.push({ path, message: "matches a forbidden schema" }));

  return (value, path, errors) => {
    for (const check of checks) {
      if (check(value, path, errors) === false) return; // wrong type: the rest would only add noise
      if (errors.length >= MAX_ERRORS) return;
    }
  };
}
