/** The diagnostic codes of agent config files. Stable: tools may match on them. */

export const AGENT_CONFIG_CODES = [
  // YAML layer (shared with pipelines)
  'yaml-syntax',
  'yaml-warning',
  'yaml-alias-limit',
  'duplicate-key',
  'empty-document',
  // JSON Schema layer (shared with pipelines)
  'schema-required',
  'schema-type',
  'schema-additional-property',
  'schema-enum',
  'schema-pattern',
  'schema-range',
  'schema-invalid',
  'invalid-duration',
  // runtimes
  'duplicate-runtime-name',
  'duplicate-runtime',
  'runtime-mode',
  'conflicting-properties',
  'invalid-url',
  'env-not-set',
  // last resort: a bug in this package, reported instead of thrown
  'internal-error',
] as const;

export type AgentConfigCode = (typeof AGENT_CONFIG_CODES)[number];
