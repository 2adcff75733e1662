import { SCHEMA_CODES, YAML_CODES } from '../diagnostics.js';

/** The diagnostic codes of agent config files. Stable: tools may match on them. */
export const AGENT_CONFIG_CODES = [
  ...YAML_CODES,
  ...SCHEMA_CODES,
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
