/** schemas/agent-config.schema.json: valid, strict, documented for editors, and in step with docs/agent-config.md. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { AGENT_CONFIG_CODES, agentConfigSchema, parseAgentConfig } from '../../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
type Schema = Record<string, unknown>;
const defs = agentConfigSchema.$defs as Record<string, Schema>;

/** Every schema reachable from the root (through $defs, properties, items, if/then…), with its pointer. */
function subschemas(schema: Schema, at = '#'): [string, Schema][] {
  const out: [string, Schema][] = [[at, schema]];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      out.push(...subschemas(value as Schema, path));
  };
  for (const key of ['items', 'additionalProperties', 'propertyNames', 'if', 'then'])
    visit(schema[key], `${at}/${key}`);
  for (const key of ['properties', '$defs']) {
    for (const [name, sub] of Object.entries((schema[key] as Schema | undefined) ?? {}))
      visit(sub, `${at}/${key}/${name}`);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    ((schema[key] as unknown[] | undefined) ?? []).forEach((sub, i) => visit(sub, `${at}/${key}/${i}`));
  }
  return out;
}

const resolve = (schema: Schema): Schema =>
  typeof schema.$ref === 'string' ? { ...defs[schema.$ref.replace('#/$defs/', '')], ...schema } : schema;

/** The ```yaml blocks of docs/agent-config.md that are whole configs. */
function docConfigs(): string[] {
  const doc = readFileSync(join(root, 'docs/agent-config.md'), 'utf8');
  return [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((y) => y.includes('kind: AgentConfig'));
}

describe('agent-config.schema.json', () => {
  test('is the file that is exported', () => {
    expect(JSON.parse(readFileSync(join(root, 'schemas/agent-config.schema.json'), 'utf8'))).toEqual(
      agentConfigSchema,
    );
  });

  test('is a valid 2020-12 schema and compiles in strict mode', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true });
    ajv.addVocabulary(['patternErrorMessage']);
    expect(ajv.validateSchema(agentConfigSchema)).toBe(true);
    expect(() => ajv.compile(agentConfigSchema)).not.toThrow();
  });

  test('every property has a description (directly or through its $ref), for editor hover', () => {
    const missing: string[] = [];
    for (const [path, schema] of subschemas(agentConfigSchema as Schema)) {
      for (const [name, sub] of Object.entries(
        (schema.properties as Record<string, Schema> | undefined) ?? {},
      )) {
        // The `if` of each runtime branch only tests `type`: nothing to document there.
        if (path.endsWith('/if')) continue;
        if (typeof resolve(sub).description !== 'string') missing.push(`${path}/properties/${name}`);
      }
      const extra = schema.additionalProperties;
      if (
        typeof extra === 'object' &&
        extra !== null &&
        typeof resolve(extra as Schema).description !== 'string'
      )
        missing.push(`${path}/additionalProperties`);
    }
    expect(missing).toEqual([]);
  });

  test('mappings are closed, except free-form maps and the runtime dispatcher', () => {
    const open = subschemas(agentConfigSchema as Schema)
      .filter(
        ([p, s]) => s.properties !== undefined && s.additionalProperties !== false && !p.endsWith('/if'),
      )
      .map(([p]) => p);
    expect(open).toEqual(['#/$defs/runtime']);
  });

  test('the examples in the schema validate against it', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    for (const [path, schema] of subschemas(agentConfigSchema as Schema)) {
      if (!Array.isArray(schema.examples) || path === '#') continue;
      const check = ajv.compile({ ...schema, $defs: defs });
      for (const example of schema.examples)
        expect(check(example), `${path}: ${JSON.stringify(example)}`).toBe(true);
    }
  });
});

describe('docs/agent-config.md', () => {
  test('its config examples parse without diagnostics', () => {
    const configs = docConfigs();
    expect(configs.length).toBeGreaterThanOrEqual(2);
    for (const text of configs) expect(parseAgentConfig(text).diagnostics, text).toEqual([]);
  });

  test('documents every diagnostic code', () => {
    const doc = readFileSync(join(root, 'docs/agent-config.md'), 'utf8');
    for (const code of AGENT_CONFIG_CODES) expect(doc, code).toContain(`\`${code}\``);
  });
});
