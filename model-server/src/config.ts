/**
 * Command-line options, each with an environment equivalent (ORCHION_MODEL_SERVER_<NAME>) so that a container
 * can be configured by env alone. Options given on the command line win.
 */
import { parseArgs } from 'node:util';
import { API_NAMES, type ApiName } from './app.js';
import { parseKeepAlive, type KeepAliveMs } from './keep-alive.js';

export interface ServerConfig {
  host: string;
  port: number;
  modelsDir: string;
  threads: number;
  apis: ApiName[];
  gpu: 'auto' | 'cuda' | 'vulkan' | 'metal' | false;
  contextSize?: number;
  keepAliveMs: KeepAliveMs;
  pullFrom?: string;
  pullChunkBytes?: number;
  apiKey?: string;
  /** Write the tiny random-weight model when the models dir has no model (offline smoke tests). */
  tinyModel: boolean;
  logLevel: string;
}

export const USAGE = `Usage: orchion-model-server --models-dir DIR [options]

Serves the GGUF models of DIR (embedded llama.cpp) over the Ollama and OpenAI HTTP APIs.

  --host HOST              listen address (default 127.0.0.1)
  --port PORT              listen port (default 11434; 0 picks a free one)
  --models-dir DIR         directory of *.gguf models, each named after its file stem (required)
  --threads N              CPU threads for inference (default 1)
  --api LIST               ollama,openai (default both)
  --gpu MODE               auto | cuda | vulkan | metal | false (default auto)
  --context-size N         context size in tokens (default: the model's, at most 4096)
  --keep-alive DURATION    how long models stay loaded after a request (default 5m; -1: forever)
  --pull-from DIR          /api/pull copies <name>.gguf from DIR into the models dir
  --pull-chunk-bytes N     bytes per pull progress line (default 1048576)
  --api-key KEY            require "Authorization: Bearer KEY" on /v1 requests
  --tiny-model             write the tiny random-weight model orchion-tiny when DIR has no model
  --log-level LEVEL        fatal | error | warn | info | debug | silent (default info)
  -h, --help

Each option has an environment equivalent: ORCHION_MODEL_SERVER_PORT, ORCHION_MODEL_SERVER_MODELS_DIR, ...
(upper case, dashes as underscores; --tiny-model: ORCHION_MODEL_SERVER_TINY_MODEL=1).`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'models-dir': { type: 'string' },
  threads: { type: 'string' },
  api: { type: 'string' },
  gpu: { type: 'string' },
  'context-size': { type: 'string' },
  'keep-alive': { type: 'string' },
  'pull-from': { type: 'string' },
  'pull-chunk-bytes': { type: 'string' },
  'api-key': { type: 'string' },
  'tiny-model': { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export class ConfigError extends Error {}

const envName = (option: string) => `ORCHION_MODEL_SERVER_${option.toUpperCase().replace(/-/g, '_')}`;

function integer(option: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${option} must be an integer >= ${min}`);
  return n;
}

/** The configuration from argv and env; undefined when help was asked for. Throws ConfigError. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig | undefined {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return undefined;
  const get = (option: keyof typeof OPTIONS): string | undefined => {
    const v = values[option];
    if (typeof v === 'string') return v;
    if (v === true) return '1';
    return env[envName(option)] || undefined;
  };
  const modelsDir = get('models-dir');
  if (!modelsDir) throw new ConfigError(`--models-dir (or ${envName('models-dir')}) is required`);
  const apis = (get('api') ?? API_NAMES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = apis.filter((a) => !API_NAMES.includes(a as ApiName));
  if (apis.length === 0 || unknown.length > 0) {
    throw new ConfigError(`--api must list ${API_NAMES.join(', ')} (got ${unknown.join(', ') || 'none'})`);
  }
  const gpu = get('gpu') ?? 'auto';
  if (!['auto', 'cuda', 'vulkan', 'metal', 'false'].includes(gpu)) {
    throw new ConfigError('--gpu must be auto, cuda, vulkan, metal or false');
  }
  let keepAliveMs: KeepAliveMs;
  try {
    keepAliveMs = parseKeepAlive(get('keep-alive') ?? '5m') ?? 5 * 60_000;
  } catch (err) {
    throw new ConfigError(`--keep-alive: ${(err as Error).message}`);
  }
  const tiny = get('tiny-model');
  return {
    host: get('host') ?? '127.0.0.1',
    port: integer('port', get('port'), 0) ?? 11434,
    modelsDir,
    threads: integer('threads', get('threads'), 1) ?? 1,
    apis: apis as ApiName[],
    gpu: gpu === 'false' ? false : (gpu as ServerConfig['gpu']),
    contextSize: integer('context-size', get('context-size'), 16),
    keepAliveMs,
    pullFrom: get('pull-from'),
    pullChunkBytes: integer('pull-chunk-bytes', get('pull-chunk-bytes'), 1),
    apiKey: get('api-key'),
    tinyModel: tiny !== undefined && !['0', 'false', 'no'].includes(tiny.toLowerCase()),
    logLevel: get('log-level') ?? 'info',
  };
}
