/**
 * The agent's runtimes, built from config entries (the agent config file's `runtimes`, flags, or the names of the
 * built-in runtimes): `embedded` (llama.cpp on the GGUF files of the models dir, `<dataDir>/models` by default;
 * a model's name is its file stem), `echo` (a deterministic test runtime with one model, `echo`), `ollama` with
 * a `url` (an existing Ollama server) and `openai` (an existing OpenAI-compatible server). Managed runtimes
 * (`ollama` with `managed: true`, `vllm`) are containers: they are validated and listed as `managed` specs for
 * the Docker runtime manager, not started here.
 *
 * Defaults, chosen for the small CPU-only machines the agent must run well on:
 * - slots: 1 when the embedded runtime is on (it runs one model's requests one at a time, so a second slot
 *   would only queue, with its timeout running); 4 with server runtimes only; 32 with echo alone. `--slots`
 *   raises it, e.g. for several models or servers that take parallel requests.
 * - threads: 1 on machines with up to 2 logical cores (2 threads there fell from ~2,000 to ~15 tok/s), else
 *   half the logical cores (roughly the physical cores, leaving room for the agent itself).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { assignRuntimeNames, RESERVED_RUNTIME_NAMES, type RuntimeConfig } from '@orchion/schemas';
import type { Logger } from 'pino';
import type { NodeLogLine } from '../node-logs/batcher.js';
import { ensureDefaultModel } from '../models/catalog.js';
import { EchoRuntime } from '../runtimes/echo.js';
import { EmbeddedRuntime, type WorkerConfig } from '../runtimes/embedded/index.js';
import { OllamaRuntime } from '../runtimes/ollama/index.js';
import { OpenAIRuntime } from '../runtimes/openai/index.js';
import type { Runtime } from '../runtimes/types.js';
import { managedSpec, type DockerSettings, type ManagedRuntimeSpec } from './managed.js';

/** The built-in runtimes (`--runtime`), which need no settings. */
export const RUNTIME_NAMES = ['embedded', 'echo'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

type WithoutName<T> = T extends unknown ? Omit<T, 'name'> & { name?: string } : never;

/**
 * A runtime to run: a built-in runtime's name, or a config entry (from an agent config file or flags); entries
 * without a name get the default one (see `assignRuntimeNames`).
 */
export type RuntimeEntry = RuntimeName | WithoutName<RuntimeConfig>;

export interface RuntimeSetupOptions {
  dataDir: string;
  /** The embedded runtime's models dir when its entry sets none. Default `<dataDir>/models`. */
  modelsDir?: string;
  /** Default ['embedded']. */
  runtimes?: RuntimeEntry[];
  slots?: number;
  /** llama.cpp CPU threads when the embedded entry sets none. */
  threads?: number;
  gpu?: WorkerConfig['gpu'];
  /** The echo runtime's delay per token (tests and benchmarks of long-running steps). */
  echoTokenDelayMs?: number;
  /** The embedded runtime's worker script (tests); default agent/dist/llama-worker.js. */
  workerPath?: string;
  /** Where `apiKeyEnv` and `passEnv` variables are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The engine for managed runtimes (passed through to the Docker glue). */
  docker?: DockerSettings;
  logger: Logger;
  /** Node log lines (the embedded runtime's backend and a move to the CPU); see node-logs/batcher.ts. */
  nodeLog?: (line: NodeLogLine) => void;
}

export interface RuntimeSetup {
  /** The runtimes that serve requests now (managed ones are added by the Docker glue). */
  runtimes: Runtime[];
  /** Their names, as announced to the orchestrator. */
  names: string[];
  /** Every configured runtime, names resolved (managed ones included). */
  configs: RuntimeConfig[];
  /** Containers to start (Ollama with `managed: true`, vLLM), for DockerRuntimeManager. */
  managed: ManagedRuntimeSpec[];
  docker: DockerSettings;
  slots: number;
  threads: number;
  modelsDir: string;
  /** Writes the tiny smoke-test model when the embedded runtime is on and the models dir has no model. */
  prepare(): Promise<void>;
  close(): Promise<void>;
}

/** Default slots for runtimes of these types (see the header). */
export function defaultSlots(types: readonly string[]): number {
  if (types.includes('embedded')) return 1;
  return types.some((t) => t !== 'echo') ? 4 : 32;
}

export function defaultThreads(cpus = availableParallelism()): number {
  return cpus <= 2 ? 1 : Math.max(1, Math.floor(cpus / 2));
}

/** Entries as configs with unique names; throws on unknown built-ins, duplicate names or runtimes. */
export function runtimeConfigs(entries: readonly RuntimeEntry[] | undefined): RuntimeConfig[] {
  const list = entries?.length ? entries : (['embedded'] as RuntimeEntry[]);
  const seenBuiltIns = new Set<string>();
  const partial = list.flatMap((e): Exclude<RuntimeEntry, string>[] => {
    if (typeof e !== 'string') return [e];
    if (!RUNTIME_NAMES.includes(e)) {
      throw new Error(`unknown runtime ${JSON.stringify(e)} (known: ${RUNTIME_NAMES.join(', ')})`);
    }
    // `--runtime echo --runtime echo` means one echo runtime.
    if (seenBuiltIns.has(e)) return [];
    seenBuiltIns.add(e);
    return [{ type: e } as Exclude<RuntimeEntry, string>];
  });
  const names = assignRuntimeNames(partial);
  const configs = partial.map((p, i) => ({ ...p, name: names[i]! }) as RuntimeConfig);
  const byName = new Map<string, RuntimeConfig>();
  for (const c of configs) {
    if (RESERVED_RUNTIME_NAMES.includes(c.name) && c.type !== c.name) {
      throw new Error(`runtime name "${c.name}" belongs to the ${c.name} runtime`);
    }
    const first = byName.get(c.name);
    if (first) {
      throw new Error(
        first.type === c.type && RESERVED_RUNTIME_NAMES.includes(c.type)
          ? `an agent runs at most one ${c.type} runtime`
          : `two runtimes are named "${c.name}": runtime names must be unique on an agent`,
      );
    }
    byName.set(c.name, c);
  }
  return configs;
}

export function setupRuntimes(o: RuntimeSetupOptions): RuntimeSetup {
  const configs = runtimeConfigs(o.runtimes);
  const env = o.env ?? process.env;
  const embedded = configs.find((c) => c.type === 'embedded');
  const modelsDir = embedded?.modelsDir ?? o.modelsDir ?? join(o.dataDir, 'models');
  const threads = embedded?.threads ?? o.threads ?? defaultThreads();
  const slots = o.slots ?? defaultSlots(configs.map((c) => c.type));
  if (!Number.isInteger(slots) || slots < 1) throw new Error('slots must be a positive integer');
  if (!Number.isInteger(threads) || threads < 1) throw new Error('threads must be a positive integer');
  const log = o.logger;
  const runtimes: Runtime[] = [];
  const managed: ManagedRuntimeSpec[] = [];
  for (const c of configs) {
    switch (c.type) {
      case 'embedded':
        runtimes.push(
          new EmbeddedRuntime({
            modelsDir,
            threads,
            gpu: c.gpu ?? o.gpu ?? 'auto',
            workerPath: o.workerPath,
            onLog: (text) => log.info({ runtime: 'embedded' }, text.trim()),
            onNotice: (level, text) => {
              log[level]({ runtime: 'embedded' }, text);
              o.nodeLog?.({ level, text, source: 'embedded' });
            },
          }),
        );
        break;
      case 'echo':
        runtimes.push(new EchoRuntime({ tokenDelayMs: o.echoTokenDelayMs }));
        break;
      case 'ollama':
        if (c.managed) managed.push(managedSpec(c, env));
        else runtimes.push(new OllamaRuntime({ name: c.name, baseUrl: c.url, keepAlive: c.keepAlive }));
        break;
      case 'openai': {
        const apiKey = c.apiKeyEnv ? env[c.apiKeyEnv] : undefined;
        if (c.apiKeyEnv && !apiKey) {
          throw new Error(
            `runtime ${c.name}: environment variable ${c.apiKeyEnv} (its apiKeyEnv) is not set`,
          );
        }
        runtimes.push(new OpenAIRuntime({ name: c.name, baseUrl: c.url, apiKey }));
        break;
      }
      case 'vllm':
        managed.push(managedSpec(c, env));
        break;
    }
  }
  for (const m of managed) {
    if (m.missingEnv.length > 0) {
      log.warn({ runtime: m.name, missing: m.missingEnv }, `runtime ${m.name}: passEnv variables not set`);
    }
  }
  return {
    runtimes,
    names: runtimes.map((r) => r.name),
    configs,
    managed,
    docker: o.docker ?? { keepContainersOnExit: false },
    slots,
    threads,
    modelsDir,
    async prepare() {
      if (!embedded) return;
      try {
        const written = await ensureDefaultModel(modelsDir);
        if (written) {
          log.warn(
            { path: written },
            `no model in ${modelsDir}: wrote orchion-tiny.gguf, a TINY RANDOM-WEIGHT model that produces ` +
              'gibberish, for smoke tests only. Put real GGUF files in that directory (a model is named ' +
              'after its file stem, e.g. qwen2.5-0.5b-instruct.gguf → qwen2.5-0.5b-instruct).',
          );
        }
      } catch (err) {
        log.error({ err, modelsDir }, 'could not prepare the models directory');
      }
    },
    async close() {
      await Promise.allSettled(runtimes.map((r) => r.close()));
    },
  };
}
