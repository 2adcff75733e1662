/** The agent config JSON Schema, its validator, and how its errors read. */
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import agentConfigSchemaJson from '../../agent-config.schema.json' with { type: 'json' };
import type { Diagnostic, SchemaCode } from '../diagnostics.js';
import { translateSchemaError, type SchemaErrorProfile } from '../schema-errors.js';
import { checkSchemaErrors, createAjv, type SchemaCheck } from '../schema.js';
import type { SourceDocument } from '../source.js';
import { runtimeLabel, type RawRuntime } from './raw.js';

/** The JSON Schema (2020-12) of agent config files, e.g. for editors. Every property has a `description`. */
export const agentConfigSchema: Readonly<Record<string, unknown>> = agentConfigSchemaJson;

let validator: ValidateFunction | undefined;

export function validateAgentConfigData(data: unknown): ErrorObject[] {
  validator ??= createAjv().compile(agentConfigSchemaJson);
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

const defs = agentConfigSchemaJson.$defs as Record<string, unknown>;

export function agentConfigSchemaCheck(
  source: SourceDocument,
  data: unknown,
  runtimes: readonly RawRuntime[],
): SchemaCheck<SchemaCode> {
  const byIndex = new Map(runtimes.map((r) => [r.index, r]));
  const profile: SchemaErrorProfile<SchemaCode> = {
    document: 'the agent config',
    aDocument: 'an agent config',
    name(path) {
      if (path.length !== 2 || path[0] !== 'runtimes' || !/^\d+$/.test(path[1]!)) return undefined;
      const index = Number(path[1]);
      return runtimeLabel(byIndex.get(index), index);
    },
    durations: new Set([defs.duration, defs.keepAlive]),
  };
  return checkSchemaErrors(validateAgentConfigData(data), (e): Diagnostic<SchemaCode> | undefined =>
    translateSchemaError(source, e, data, profile),
  );
}
