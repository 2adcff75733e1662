/**
 * Which runtimes an agent starts with: those of its config file, extended and overridden by flags; with none
 * configured at all, the embedded runtime plus an Ollama server found on 127.0.0.1:11434.
 */
import type { RuntimeConfig } from '@orchion/schemas';
import type { Logger } from 'pino';
import { detectOllama, LOCAL_OLLAMA_URL } from './detect.js';
import { RUNTIME_NAMES, type RuntimeEntry, type RuntimeName } from './runtimes.js';

export interface RuntimeFlags {
  /** `--runtime`: built-in runtimes added to the configured ones (or run instead of the default). */
  runtime?: RuntimeName[];
  /** `--models-dir`: the embedded runtime's, over the file's. */
  modelsDir?: string;
  /** `--threads`: the embedded runtime's, over the file's. */
  threads?: number;
  /** `--ollama-url`: existing Ollama servers added to the configured runtimes. */
  ollamaUrl?: string[];
  /** `--openai-url`: existing OpenAI-compatible servers added to the configured runtimes. */
  openaiUrl?: string[];
  /** `--openai-key-env`: the variable holding the API key of the `--openai-url` servers. */
  openaiKeyEnv?: string;
}

/** Whether `value` is an http(s) URL with a host (what `--ollama-url` and `--openai-url` take). */
export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

const sameUrl = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * The configured runtimes: the file's, then built-ins from `--runtime` that are not there yet, then servers from
 * `--ollama-url`/`--openai-url` that are not there yet; `--models-dir`/`--threads` set the embedded runtime's.
 * Entries from flags are unnamed: `runtimeConfigs` names them after the file's. Undefined when neither the file
 * nor a flag configures any runtime.
 */
export function configuredRuntimes(
  file: readonly RuntimeConfig[] | undefined,
  flags: RuntimeFlags = {},
): RuntimeEntry[] | undefined {
  if (flags.openaiKeyEnv && !flags.openaiUrl?.length) throw new Error('--openai-key-env needs --openai-url');
  for (const url of [...(flags.ollamaUrl ?? []), ...(flags.openaiUrl ?? [])]) {
    if (!isHttpUrl(url)) throw new Error(`"${url}" is not an http:// or https:// URL`);
  }
  const out: RuntimeEntry[] = [...(file ?? [])];
  const has = (type: string, url?: string): boolean =>
    out.some(
      (e) =>
        (typeof e === 'string' ? e === type : e.type === type) &&
        (url === undefined || (typeof e !== 'string' && 'url' in e && sameUrl(e.url, url))),
    );
  for (const name of flags.runtime ?? []) {
    if (!RUNTIME_NAMES.includes(name)) throw new Error(`unknown runtime ${JSON.stringify(name)}`);
    if (!has(name)) out.push(name);
  }
  const extra: RuntimeEntry[] = [];
  for (const url of flags.ollamaUrl ?? []) {
    if (!has('ollama', url)) extra.push({ type: 'ollama', managed: false, url });
  }
  for (const url of flags.openaiUrl ?? []) {
    if (!has('openai', url)) {
      extra.push({ type: 'openai', url, ...(flags.openaiKeyEnv ? { apiKeyEnv: flags.openaiKeyEnv } : {}) });
    }
  }
  out.push(...extra);
  if (out.length === 0) return undefined;
  return out.map((e) => withEmbeddedFlags(e, flags));
}

function withEmbeddedFlags(e: RuntimeEntry, flags: RuntimeFlags): RuntimeEntry {
  const isEmbedded = e === 'embedded' || (typeof e !== 'string' && e.type === 'embedded');
  if (!isEmbedded || (flags.modelsDir === undefined && flags.threads === undefined)) return e;
  return {
    ...(typeof e === 'string' ? { type: 'embedded' } : e),
    ...(flags.modelsDir !== undefined ? { modelsDir: flags.modelsDir } : {}),
    ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
  } as RuntimeEntry;
}

export interface ResolveRuntimesOptions {
  /** The config file's runtimes, when it lists some. */
  file?: readonly RuntimeConfig[];
  flags?: RuntimeFlags;
  /** Probe for a local Ollama when no runtime is configured (default true; `--no-detect`). */
  detect?: boolean;
  /** Where to probe (loopback only; tests). Default http://127.0.0.1:11434. */
  detectUrl?: string;
  logger: Logger;
}

/**
 * The runtimes to start: the configured ones; with none configured, the embedded runtime, plus an OllamaRuntime
 * named `ollama` when a local Ollama answers (logged).
 */
export async function resolveRuntimes(o: ResolveRuntimesOptions): Promise<RuntimeEntry[]> {
  const configured = configuredRuntimes(o.file, o.flags);
  if (configured) return configured;
  const base: RuntimeEntry[] = [withEmbeddedFlags('embedded', o.flags ?? {})];
  if (o.detect === false) return base;
  const url = o.detectUrl ?? LOCAL_OLLAMA_URL;
  if (!(await detectOllama(url))) {
    o.logger.debug({ url }, 'no Ollama server found on this machine');
    return base;
  }
  o.logger.info(
    { url, runtime: 'ollama' },
    `found an Ollama server at ${url}: its models are served as runtime "ollama" (--no-detect to skip)`,
  );
  return [...base, { type: 'ollama', name: 'ollama', managed: false, url }];
}
