/** Walks the pipeline JSON Schema along a document path: what a key or value may be, and its description. */
import { pipelineSchema } from '@orchion/schemas';

export type Schema = Record<string, unknown>;
/** A path segment; list items are numbers (any index: the schema does not tell items apart). */
export type SchemaSegment = string | number;

const root = pipelineSchema as Schema;

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows `$ref`s (local ones only) and merges the sibling keywords over the target. */
export function deref(schema: Schema, depth = 0): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/') || depth > 16) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) target = isSchema(target) ? target[part] : undefined;
  if (!isSchema(target)) return schema;
  const { $ref: _ref, ...rest } = schema;
  return { ...deref(target, depth + 1), ...rest };
}

/** The alternatives of a schema (anyOf/oneOf branches, dereferenced), including itself. */
function alternatives(schema: Schema): Schema[] {
  const out = [schema];
  for (const key of ['anyOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const s of list) if (isSchema(s)) out.push(deref(s));
  }
  return out;
}

/** The schema of one property of an object schema (declared, else `additionalProperties`). */
export function propertySchema(schema: Schema, name: string): Schema | undefined {
  for (const alt of alternatives(schema)) {
    const props = alt.properties;
    if (isSchema(props) && isSchema(props[name])) return deref(props[name]);
  }
  for (const alt of alternatives(schema)) {
    if (isSchema(alt.additionalProperties)) return deref(alt.additionalProperties);
  }
  return undefined;
}

export function itemSchema(schema: Schema): Schema | undefined {
  for (const alt of alternatives(schema)) if (isSchema(alt.items)) return deref(alt.items);
  return undefined;
}

/** The schema at `path`, or undefined where the schema says nothing. */
export function schemaAt(path: readonly SchemaSegment[]): Schema | undefined {
  let current: Schema | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    current = typeof segment === 'number' ? itemSchema(current) : propertySchema(current, segment);
  }
  return current;
}

/** Declared properties of an object schema, with their schemas, in declaration order. */
export function properties(schema: Schema): [string, Schema][] {
  const out: [string, Schema][] = [];
  const seen = new Set<string>();
  for (const alt of alternatives(schema)) {
    const props = alt.properties;
    if (!isSchema(props)) continue;
    for (const [name, s] of Object.entries(props)) {
      if (seen.has(name) || !isSchema(s)) continue;
      seen.add(name);
      out.push([name, deref(s)]);
    }
  }
  return out;
}

export function requiredProperties(schema: Schema): string[] {
  return Array.isArray(schema.required)
    ? schema.required.filter((r): r is string => typeof r === 'string')
    : [];
}

export function types(schema: Schema): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

export function enumValues(schema: Schema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if ('const' in schema) return [schema.const];
  return undefined;
}

export function description(schema: Schema | undefined): string | undefined {
  return schema && typeof schema.description === 'string' ? schema.description : undefined;
}

/** A short type summary for details: `string`, `integer (0–10)`, `"a" | "b"`. */
export function typeSummary(schema: Schema): string {
  const values = enumValues(schema);
  if (values) return values.map((v) => JSON.stringify(v)).join(' | ');
  const t = types(schema);
  const base = t.length > 0 ? t.join(' | ') : 'any';
  const min = schema.minimum ?? schema.exclusiveMinimum;
  const max = schema.maximum ?? schema.exclusiveMaximum;
  if (typeof min === 'number' && typeof max === 'number') return `${base} (${min}–${max})`;
  return base;
}
