import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { pipelineSchema } from '../../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
type Schema = Record<string, unknown>;

/** Every schema reachable from the root, with the JSON pointer that leads to it. */
function subschemas(schema: Schema, at = '#'): [string, Schema][] {
  const out: [string, Schema][] = [[at, schema]];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      out.push(...subschemas(value as Schema, path));
  };
  for (const key of ['items', 'additionalProperties', 'propertyNames']) visit(schema[key], `${at}/${key}`);
  for (const key of ['properties', '$defs']) {
    for (const [name, sub] of Object.entries((schema[key] as Schema | undefined) ?? {}))
      visit(sub, `${at}/${key}/${name}`);
  }
  for (const key of ['anyOf', 'oneOf', 'prefixItems']) {
    ((schema[key] as unknown[] | undefined) ?? []).forEach((sub, i) => visit(sub, `${at}/${key}/${i}`));
  }
  return out;
}

function resolve(schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/$defs/', '');
  return { ...((pipelineSchema.$defs as Record<string, Schema>)[name] ?? {}), ...schema };
}

describe('pipeline.schema.json', () => {
  test('is the file that is exported', () => {
    expect(JSON.parse(readFileSync(join(root, 'schemas/pipeline.schema.json'), 'utf8'))).toEqual(
      pipelineSchema,
    );
  });

  test('is a valid 2020-12 schema and compiles in strict mode', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true });
    ajv.addVocabulary(['patternErrorMessage']);
    expect(ajv.validateSchema(pipelineSchema)).toBe(true);
    expect(() => ajv.compile(pipelineSchema)).not.toThrow();
  });

  test('every property has a description (directly or through its $ref), for editor hover', () => {
    const missing: string[] = [];
    for (const [path, schema] of subschemas(pipelineSchema as Schema)) {
      for (const [name, sub] of Object.entries(
        (schema.properties as Record<string, Schema> | undefined) ?? {},
      )) {
        if (typeof resolve(sub).description !== 'string') missing.push(`${path}/properties/${name}`);
      }
      const extra = schema.additionalProperties;
      if (
        typeof extra === 'object' &&
        extra !== null &&
        typeof resolve(extra as Schema).description !== 'string'
      ) {
        missing.push(`${path}/additionalProperties`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('mappings are closed (additionalProperties false) except free-form maps', () => {
    const open = subschemas(pipelineSchema as Schema)
      .filter(([, s]) => s.properties !== undefined && s.additionalProperties !== false)
      .map(([p]) => p);
    expect(open).toEqual([]);
  });

  test('the examples in the schema and the example files validate against it', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(pipelineSchema);
    for (const name of ['hello.yaml', 'release-notes.yaml', 'structured.yaml']) {
      const ok = validate(parse(readFileSync(join(root, 'examples', name), 'utf8')));
      expect(ok, `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    for (const [path, schema] of subschemas(pipelineSchema as Schema)) {
      if (!Array.isArray(schema.examples) || path === '#') continue;
      const check = ajv.compile({ ...schema, $defs: pipelineSchema.$defs });
      for (const example of schema.examples)
        expect(check(example), `${path}: ${JSON.stringify(example)}`).toBe(true);
    }
  });
});
