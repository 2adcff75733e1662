/** What the agent config schema cannot say: unique names, managed or external runtimes, caches, URLs, env vars. */
import type { Diagnostic } from '../diagnostics.js';
import type { SourceDocument } from '../source.js';
import type { AgentConfigCode } from './codes.js';
import { RESERVED_RUNTIME_NAMES } from './names.js';
import { runtimeLabel, type RawRuntime } from './raw.js';
import { SINGLE_RUNTIME_TYPES } from './types.js';

type D = Diagnostic<AgentConfigCode>;

/** Properties of a container the agent manages, meaningless for a server that runs already. */
export const MANAGED_ONLY = [
  'image',
  'cacheVolume',
  'cachePath',
  'pull',
  'gpu',
  'port',
  'env',
  'passEnv',
  'healthTimeout',
] as const;

export function checkRuntimeNames(source: SourceDocument, runtimes: readonly RawRuntime[]): D[] {
  const out: D[] = [];
  const byName = new Map<string, RawRuntime>();
  const byType = new Map<string, RawRuntime>();
  for (const r of runtimes) {
    if (r.explicitName !== undefined && RESERVED_RUNTIME_NAMES.includes(r.explicitName)) {
      out.push({
        severity: 'error',
        code: 'duplicate-runtime-name',
        message: `the name "${r.explicitName}" belongs to the ${r.explicitName} runtime: choose another`,
        range: source.valueRange([...r.path, 'name']),
      });
    } else if (r.explicitName !== undefined) {
      const first = byName.get(r.explicitName);
      if (first === undefined) byName.set(r.explicitName, r);
      else {
        out.push({
          severity: 'error',
          code: 'duplicate-runtime-name',
          message: `two runtimes are named "${r.explicitName}": runtime names must be unique on an agent`,
          range: source.valueRange([...r.path, 'name']),
          related: [
            {
              message: `"${r.explicitName}" is first used here`,
              range: source.valueRange([...first.path, 'name']),
            },
          ],
        });
      }
    }
    if (r.type !== undefined && SINGLE_RUNTIME_TYPES.includes(r.type)) {
      const first = byType.get(r.type);
      if (first === undefined) byType.set(r.type, r);
      else {
        out.push({
          severity: 'error',
          code: 'duplicate-runtime',
          message: `an agent runs at most one ${r.type} runtime`,
          range: source.valueRange([...r.path, 'type']),
          related: [
            { message: `the first ${r.type} runtime`, range: source.valueRange([...first.path, 'type']) },
          ],
        });
      }
    }
  }
  return out;
}

/** External Ollama servers need a URL; managed-only properties need `managed: true`; vLLM is always managed. */
export function checkRuntimeModes(source: SourceDocument, runtimes: readonly RawRuntime[]): D[] {
  const out: D[] = [];
  const mode = (message: string, range: D['range']): void => {
    out.push({ severity: 'error', code: 'runtime-mode', message, range });
  };
  for (const r of runtimes) {
    const label = runtimeLabel(r, r.index);
    if (r.type === 'vllm' && r.managed === false) {
      mode(
        `${label}: vllm runtimes are containers the agent manages; for a vLLM server you run yourself, use ` +
          'type: openai with its url',
        source.valueRange([...r.path, 'managed']),
      );
    }
    if (r.type !== 'ollama' || (r.data.managed !== undefined && r.managed === undefined)) continue;
    if (r.managed) {
      if ('url' in r.data) {
        mode(
          `"url" is for a server that runs already, but ${label} is managed (the agent starts it): remove ` +
            '"url", or "managed: true"',
          source.keyRange([...r.path, 'url']),
        );
      }
      continue;
    }
    if (!('url' in r.data)) {
      out.push({
        severity: 'error',
        code: 'schema-required',
        message:
          `${label} needs "url" (an Ollama server that runs already) or "managed: true" (a container this ` +
          'agent starts)',
        range: source.anchorRange(r.path),
      });
    }
    for (const key of MANAGED_ONLY) {
      if (!(key in r.data)) continue;
      mode(
        `"${key}" applies only to a managed runtime: add "managed: true" to ${label}, or remove "${key}"`,
        source.keyRange([...r.path, key]),
      );
    }
  }
  return out;
}

/** `cacheVolume` and `cachePath` both choose where the models go. */
export function checkCaches(source: SourceDocument, runtimes: readonly RawRuntime[]): D[] {
  const out: D[] = [];
  for (const r of runtimes) {
    const keys = Object.keys(r.data).filter((k) => k === 'cacheVolume' || k === 'cachePath');
    if (keys.length < 2) continue;
    out.push({
      severity: 'error',
      code: 'conflicting-properties',
      message: `"cacheVolume" and "cachePath" both set where ${runtimeLabel(r, r.index)} keeps models: keep one`,
      range: source.keyRange([...r.path, keys[1]!]),
      related: [{ message: `"${keys[0]}" is set here`, range: source.keyRange([...r.path, keys[0]!]) }],
    });
  }
  return out;
}

/** URLs the schema's pattern lets through but that do not parse (`http://`, `http://a b`). */
export function checkUrls(source: SourceDocument, runtimes: readonly RawRuntime[]): D[] {
  const out: D[] = [];
  for (const r of runtimes) {
    const url = r.data.url;
    if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) continue;
    let problem: string | undefined;
    try {
      const parsed = new URL(url);
      if (parsed.hostname === '') problem = 'it has no host';
      else if (parsed.search || parsed.hash) problem = 'it must not have a query or a fragment';
    } catch {
      problem = 'it does not parse';
    }
    if (problem !== undefined) {
      out.push({
        severity: 'error',
        code: 'invalid-url',
        message: `invalid url "${url}" in ${runtimeLabel(r, r.index)}: ${problem}`,
        range: source.valueRange([...r.path, 'url']),
      });
    }
  }
  return out;
}

/** Environment variables named by `apiKeyEnv` (an error when unset) and `passEnv` (a warning). */
export function checkEnv(
  source: SourceDocument,
  runtimes: readonly RawRuntime[],
  env: Readonly<Record<string, string | undefined>>,
): D[] {
  const out: D[] = [];
  const unset = (name: unknown): name is string => typeof name === 'string' && !env[name];
  for (const r of runtimes) {
    const label = runtimeLabel(r, r.index);
    if (unset(r.data.apiKeyEnv)) {
      out.push({
        severity: 'error',
        code: 'env-not-set',
        message: `environment variable ${r.data.apiKeyEnv} (the API key of ${label}) is not set`,
        range: source.valueRange([...r.path, 'apiKeyEnv']),
      });
    }
    const pass = Array.isArray(r.data.passEnv) ? (r.data.passEnv as unknown[]) : [];
    pass.forEach((name, i) => {
      if (!unset(name)) return;
      out.push({
        severity: 'warning',
        code: 'env-not-set',
        message: `environment variable ${name} is not set: ${label} starts without it`,
        range: source.valueRange([...r.path, 'passEnv', i]),
      });
    });
  }
  return out;
}
