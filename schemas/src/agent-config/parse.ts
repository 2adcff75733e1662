/** `parseAgentConfig`: YAML → diagnostics (syntax, schema, runtimes) and, when there are no errors, a typed config. */
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { SourceDocument } from '../source.js';
import { isPlainObject } from '../values.js';
import { internalError, readYamlData } from '../yaml-data.js';
import { checkCaches, checkEnv, checkRuntimeModes, checkRuntimeNames, checkUrls } from './checks.js';
import type { AgentConfigCode } from './codes.js';
import { normalizeAgentConfig } from './normalize.js';
import { readRawRuntimes } from './raw.js';
import { agentConfigSchemaCheck } from './schema.js';
import type { AgentConfigFile } from './types.js';

export interface AgentConfigParseOptions {
  /**
   * The environment the agent will run with: when given, `apiKeyEnv` variables that are unset are errors and
   * `passEnv` ones warnings (`env-not-set`). The parser itself reads no environment.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface AgentConfigParseResult {
  /** The typed config; present exactly when no diagnostic is an error. */
  config?: AgentConfigFile;
  /** Every problem found, sorted by position. */
  diagnostics: Diagnostic<AgentConfigCode>[];
  /** The parsed document (absent only after an internal error). */
  source?: SourceDocument;
  /** The plain data the YAML converted to, when it could be converted. */
  data?: unknown;
}

/** Parses and checks an agent config file. Never throws: every problem is a diagnostic. */
export function parseAgentConfig(
  text: string,
  options: AgentConfigParseOptions = {},
): AgentConfigParseResult {
  try {
    return parseUnsafe(typeof text === 'string' ? text : String(text), options);
  } catch (e) {
    return { diagnostics: [internalError('agent config', e)] };
  }
}

function parseUnsafe(text: string, options: AgentConfigParseOptions): AgentConfigParseResult {
  const source = new SourceDocument(text);
  const read = readYamlData(source, {
    file: 'an agent config file',
    emptyMessage: 'the document is empty: an agent config needs apiVersion: orchion/v1 and kind: AgentConfig',
  });
  if (!read.ok) return { diagnostics: sortDiagnostics(read.diagnostics), source };
  const { data } = read;
  const runtimes = readRawRuntimes(data);
  const all: Diagnostic<AgentConfigCode>[] = [
    ...read.diagnostics,
    ...agentConfigSchemaCheck(source, data, runtimes).diagnostics,
    ...checkRuntimeNames(source, runtimes),
    ...checkRuntimeModes(source, runtimes),
    ...checkCaches(source, runtimes),
    ...checkUrls(source, runtimes),
    ...(options.env ? checkEnv(source, runtimes, options.env) : []),
  ];
  const result: AgentConfigParseResult = { diagnostics: sortDiagnostics(all), source, data };
  if (!hasErrors(all) && isPlainObject(data)) result.config = normalizeAgentConfig(data, runtimes);
  return result;
}
